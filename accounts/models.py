import uuid
from datetime import timedelta
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from accounts.tokens import generate_project_token, generate_random_token


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("The email must be set")
        user = self.model(email=self.normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    ROLE_CHOICES = [
        (role, role)
        for role in ("engineering", "data", "product", "founder", "leadership", "marketing", "sales", "other")
    ]

    username = None  # type: ignore[assignment]  # email is the user name
    email = models.EmailField(unique=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    distinct_id = models.CharField(max_length=200, unique=True, null=True, blank=True, default=generate_random_token)
    is_email_verified = models.BooleanField(null=True, blank=True)
    role_at_organization = models.CharField(max_length=64, choices=ROLE_CHOICES, null=True, blank=True)
    hedgehog_config = models.JSONField(null=True, blank=True)
    current_organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_project = models.ForeignKey(
        "accounts.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.email


def _unique_org_slug(name: str) -> str:
    base = slugify(name)[:40] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=64)
    slug = models.SlugField(max_length=48, unique=True)
    is_ai_data_processing_approved = models.BooleanField(null=True, blank=True)
    members = models.ManyToManyField(User, through="accounts.OrganizationMembership", related_name="organizations")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = _unique_org_slug(self.name)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class OrganizationMembership(models.Model):
    class Level(models.IntegerChoices):
        MEMBER = 1, "member"
        ADMIN = 8, "administrator"
        OWNER = 15, "owner"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organization_memberships")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="unique_organization_membership"),
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(level=15), name="only_one_owner_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_level_display()})"


class Project(models.Model):
    """PostHog's Team and Project in one row: URL `project_id` is this id."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200, default="Default project")
    api_token = models.CharField(max_length=200, unique=True, default=generate_project_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


def _api_key_id() -> str:
    return generate_random_token()


class PersonalAPIKey(models.Model):
    LAST_USED_AT_PRECISION = timedelta(hours=1)

    id = models.CharField(primary_key=True, max_length=50, default=_api_key_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="personal_api_keys")
    label = models.CharField(max_length=40)
    mask_value = models.CharField(max_length=11, null=True, editable=False)
    secure_value = models.CharField(max_length=300, unique=True, null=True, editable=False)
    scopes = models.JSONField(default=list)
    scoped_projects = models.JSONField(default=list, blank=True)
    scoped_organizations = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "personal API key"

    def __str__(self) -> str:
        return f"{self.label} ({self.mask_value})"
