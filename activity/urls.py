from rest_framework.routers import SimpleRouter

from activity.views import ActivityLogViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy `trailing_slash` into "/", so the optional slash is set afterwards.
router.trailing_slash = "/?"
router.register(r"projects/(?P<project_id>[^/]+)/activity_log", ActivityLogViewSet, basename="project_activity_log")

urlpatterns = router.urls
