from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Organization, OrganizationMembership, PersonalAPIKey, Project, User
from accounts.scopes import scope_is_valid
from accounts.tokens import generate_personal_api_key, hash_key_value, mask_key_value


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["uuid", "distinct_id", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password", "uuid", "distinct_id"]}),
        ("Profile", {"fields": ["first_name", "last_name", "is_email_verified", "role_at_organization", "hedgehog_config"]}),
        ("Context", {"fields": ["current_organization", "current_project"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = OrganizationMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_ai_data_processing_approved", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "organization", "created_at"]
    search_fields = ["name", "api_token"]
    list_select_related = ["organization"]
    readonly_fields = ["api_token", "created_at", "updated_at"]


class PersonalAPIKeyForm(forms.ModelForm):
    class Meta:
        model = PersonalAPIKey
        fields = ["user", "label", "scopes", "scoped_projects", "scoped_organizations"]

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"]
        if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) and scope_is_valid(s) for s in scopes):
            raise forms.ValidationError('Scopes must be a non-empty list such as ["*"] or ["product_tour:read"].')
        return scopes


@admin.register(PersonalAPIKey)
class PersonalAPIKeyAdmin(admin.ModelAdmin):
    form = PersonalAPIKeyForm
    list_display = ["label", "mask_value", "user", "created_at", "last_used_at"]
    search_fields = ["label", "user__email", "mask_value"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["mask_value", "created_at", "last_used_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            value = generate_personal_api_key()
            obj.secure_value = hash_key_value(value)
            obj.mask_value = mask_key_value(value)
            super().save_model(request, obj, form, change)
            messages.warning(request, f"Personal API key created. Copy it now, it will not be shown again: {value}")
            return
        super().save_model(request, obj, form, change)
