urlpatterns: list = []  # filled by the app as it grows
