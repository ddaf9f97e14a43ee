"""Who may read statistics, and over which region: the rules are in accounts.access (one place for
every scope); this module names them for the stats page, its export and the API."""

from onewindow.accounts.access import STATS_ROLES, resolve_region
from onewindow.accounts.access import check_stats_reader as check_reader

from .period import FIRST_YEAR, LAST_YEAR, check_year, parse_period

__all__ = ["FIRST_YEAR", "LAST_YEAR", "STATS_ROLES", "check_reader", "check_year", "parse_period", "resolve_region"]
