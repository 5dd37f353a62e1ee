urlpatterns: list = []  # the project pages (list, detail, forms)
