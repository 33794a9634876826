"""Exports of warehouse rows for spreadsheets and other tools."""
