from dudao.supervision.models import Engagement


def test_the_fixtures_make_one_internal_and_one_external_engagement(world, internal_engagement, external_engagement):
    assert internal_engagement.kind == Engagement.Kind.INTERNAL
    assert external_engagement.kind == Engagement.Kind.EXTERNAL
    assert external_engagement.home_organization == world.erqi_agency
    assert internal_engagement.chain() == world.agency.chain()
