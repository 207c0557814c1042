"""A firm's record across alerts: its judgement in each alert that listed it, with the inspections of each."""
from dataclasses import dataclass

from emergency.supervision.board import build_board
from emergency.supervision.inspections import inspections_of
from models import Alert, County, PowerAccount, db


@dataclass
class HistoryEntry:
    alert: Alert
    firm: object                # board.Firm
    window: int
    inspections: list


def enterprise_history(enterprise, user, today=None):
    """[HistoryEntry] newest first, over the alerts covering the firm's county that listed it."""
    alerts = (db.session.query(Alert).filter(Alert.counties.any(County.id == enterprise.county_id))
              .order_by(Alert.started_at.desc(), Alert.id.desc()).all())
    entries = []
    for alert in alerts:
        board = build_board(alert, user, today, enterprise_id=enterprise.id)
        if board.firms:
            entries.append(HistoryEntry(alert, board.firms[0], board.window, inspections_of(enterprise.id, alert.id)))
    return entries


def accounts_of(enterprise_id):
    """The firm's electricity accounts, by number."""
    return (db.session.query(PowerAccount).filter_by(enterprise_id=enterprise_id)
            .order_by(PowerAccount.number).all())
