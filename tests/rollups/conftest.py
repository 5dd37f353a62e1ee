import pytest


@pytest.fixture
def bundled(db, settings):
    """The bundled plan with its annex, stated figures and key projects, recomputed once."""
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    from portal.bundled import bundled_plan_ensure

    plan, _created = bundled_plan_ensure()
    return plan
