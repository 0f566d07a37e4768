"""The public SDK route, first in config/urls.py (trailing slash optional)."""

from django.urls import re_path

from tours.public import product_tours

urlpatterns = [re_path(r"^api/product_tours/?$", product_tours, name="public-product-tours")]
