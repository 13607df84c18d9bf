from django.contrib import admin

from custos.notify.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "state", "attempts", "created_at", "sent_at"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
