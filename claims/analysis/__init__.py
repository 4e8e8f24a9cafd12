"""Attribution analysis of news text: who said what, with which stance, about which claim."""

from claims.analysis.extract import analyse, analyse_documents
from claims.analysis.records import ExtractedStatement, KnownParty, TextSpan

__all__ = ["ExtractedStatement", "KnownParty", "TextSpan", "analyse", "analyse_documents"]
