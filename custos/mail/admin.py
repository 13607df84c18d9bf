from django.contrib import admin

from custos.mail.models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "created_at", "sent_at"]
    readonly_fields = ["to", "recipient", "subject", "body", "created_at", "sent_at"]
