from rest_framework.routers import SimpleRouter

from flags.views import FeatureFlagViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy `trailing_slash` into "/", so the optional slash is set afterwards.
router.trailing_slash = "/?"
router.register(r"projects/(?P<project_id>[^/]+)/feature_flags", FeatureFlagViewSet, basename="project_feature_flags")

urlpatterns = router.urls
