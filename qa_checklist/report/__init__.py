"""The QA checklist report: built from test outcomes (`build.py`), rendered (`html.py`, `templates/`), written
(`file.py`), compared with an earlier one (`history.py`). Imports `qa_checklist/shared/`, never the checks."""
