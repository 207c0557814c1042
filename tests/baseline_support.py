"""Helpers for tests that need a whole-society baseline: a season and its figures, written as the page writes them."""
from datetime import date

from models import Season, WholeSocietyEmission, db

SEASON_NAME = "2020–2021年秋冬季"


def make_season(name=SEASON_NAME, starts_on=date(2020, 10, 1), ends_on=date(2021, 3, 31), note=""):
    season = Season(name=name, starts_on=starts_on, ends_on=ends_on, note=note)
    db.session.add(season)
    db.session.flush()
    return season


def set_baselines(values, source_type="industrial", season=None):
    """Store {(county id, pollutant): t/d} as one source type of ``season`` (default: a new 2020–2021 season,
    which is the season in force when no later one exists). Flushes; the caller commits."""
    season = season or db.session.query(Season).filter_by(name=SEASON_NAME).one_or_none() or make_season()
    for (county_id, pollutant), value in values.items():
        db.session.add(WholeSocietyEmission(season_id=season.id, county_id=county_id, source_type=source_type,
                                            pollutant=pollutant, baseline_t_per_day=value))
    db.session.flush()
    return season
