"""factory_boy factories for plan → project → budget trees."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from funding.models import AnnualBudget
from plans.access import SYSTEM
from plans.models import Category, Plan, PlanYear
from plans.services import plan_create
from projects.models import ImplementingUnit, Project


class PlanFactory(factory.django.DjangoModelFactory):
    """Goes through plan_create, so every plan has its years, categories and banner."""

    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.Sequence(lambda n: f"测试规划{n}")
    county = "科右中旗"
    partner = "海淀区"
    first_year = 2021
    last_year = 2025

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return plan_create(user=SYSTEM, **kwargs)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImplementingUnit

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"旗单位{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"科右中旗测试项目{n}")
    category = factory.LazyAttribute(lambda o: Category.objects.filter(plan=o.plan).order_by("order").first())
    nature = Project.Nature.NEW
    location_text = "科右中旗"


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualBudget

    project = factory.SubFactory(ProjectFactory)
    plan_year = factory.LazyAttribute(lambda o: PlanYear.objects.get(plan=o.project.plan, year=2021))
    total_investment = Decimal("1500")
    beijing_funds = Decimal("800")
    local_funds = Decimal("700")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")
