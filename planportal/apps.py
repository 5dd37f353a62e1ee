"""The admin's application config: the admin site is planportal.admin_site.PlanPortalAdminSite.

INSTALLED_APPS names it in place of "django.contrib.admin" (Django's way to replace
the default site). `default = False`: it is not the config of the planportal app.
"""

from django.contrib.admin import apps as admin_apps


class PlanPortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "planportal.admin_site.PlanPortalAdminSite"
