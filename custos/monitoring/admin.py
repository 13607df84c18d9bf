"""The admin shows monitoring's ledger and keeps the address table; the kept facts are not browsable here
(reports go through the audited pages, 8.1)."""

from django.contrib import admin
from django.http import HttpRequest

from custos.monitoring.models import AddressAssignment, IngestedSource


@admin.register(AddressAssignment)
class AddressAssignmentAdmin(admin.ModelAdmin):
    list_display = ["address", "user", "starts_at", "ends_at"]
    search_fields = ["address", "user__username"]
    raw_id_fields = ["user"]


@admin.register(IngestedSource)
class IngestedSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "lines_consumed", "bytes_consumed", "last_ingested_at"]
    readonly_fields = [f.name for f in IngestedSource._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: IngestedSource | None = None) -> bool:
        return False
