from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Organization, OrganizationMembership, PersonalAPIKey, Project, User
from accounts.scopes import scope_is_valid
from accounts.services import personal_api_key_create, personal_api_key_delete


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["uuid", "distinct_id", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password", "uuid", "distinct_id"]}),
        (
            "Profile",
            {"fields": ["first_name", "last_name", "is_email_verified", "role_at_organization", "hedgehog_config"]},
        ),
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
        if (
            not isinstance(scopes, list)
            or not scopes
            or not all(isinstance(s, str) and scope_is_valid(s) for s in scopes)
        ):
            raise forms.ValidationError('Scopes must be a non-empty list such as ["*"] or ["product_tour:read"].')
        return scopes

    def clean_scoped_projects(self):
        projects = self.cleaned_data["scoped_projects"]
        if projects in (None, ""):
            return []
        if not isinstance(projects, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in projects):
            raise forms.ValidationError("Scoped projects must be a list of project ids, such as [1, 2].")
        return projects

    def clean_scoped_organizations(self):
        organizations = self.cleaned_data["scoped_organizations"]
        if organizations in (None, ""):
            return []
        if not isinstance(organizations, list) or not all(isinstance(o, str) for o in organizations):
            raise forms.ValidationError("Scoped organizations must be a list of organization ids (UUID strings).")
        return organizations


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
            # Through the service, so the key is minted and logged like any other.
            created = personal_api_key_create(
                user=obj.user,
                label=obj.label,
                scopes=obj.scopes,
                scoped_projects=obj.scoped_projects,
                scoped_organizations=obj.scoped_organizations,
                actor=request.user,
            )
            for field in PersonalAPIKey._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created.key, field.attname))
            obj._state.adding, obj._state.db = False, created.key._state.db
            messages.warning(
                request, f"Personal API key created. Copy it now, it will not be shown again: {created.value}"
            )
            return
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        personal_api_key_delete(key=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for key in queryset:
            personal_api_key_delete(key=key, actor=request.user)
