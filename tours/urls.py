from rest_framework.routers import SimpleRouter

from tours.api.surveys import SurveyViewSet
from tours.api.tours import ProductTourViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy `trailing_slash` into "/", so the optional slash is set afterwards.
router.trailing_slash = "/?"
router.register(r"projects/(?P<project_id>[^/]+)/product_tours", ProductTourViewSet, basename="project_product_tours")
router.register(r"projects/(?P<project_id>[^/]+)/surveys", SurveyViewSet, basename="project_surveys")

urlpatterns = router.urls
