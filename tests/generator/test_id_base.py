"""A document's ids do not depend on which folder of documents a run was given, nor on the working directory."""
import os
import shutil

from generator.layout import id_base
from generator.parser import read_documents

DOCUMENT = "customcrm-chargebee-example.rst"


def test_ids_are_the_same_from_the_specs_folder_or_a_subfolder(specs_dir, tmp_path):
    project = tmp_path / "project"
    (project / "documents" / "examples").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    shutil.copy(specs_dir / "examples" / DOCUMENT, project / "documents" / "examples")
    shutil.copy(specs_dir / "customcrm-chargebee.rst", project / "documents")
    whole, _ = read_documents(project / "documents")
    part, _ = read_documents(project / "documents" / "examples")
    assert {d.place.id for d in whole} == {"customcrm-chargebee", "examples/customcrm-chargebee-example"}
    assert [d.place.id for d in part] == ["examples/customcrm-chargebee-example"]
    assert [d.name for d in part] == [DOCUMENT]  # the file is still named within the folder given


def test_the_folder_s_name_and_the_working_directory_are_no_part_of_an_id(tmp_path):
    for name in ("specs", "other"):
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "top.rst").write_text("x")
    (tmp_path / "pyproject.toml").write_text("")
    assert id_base(tmp_path / "specs") == id_base(tmp_path / "other") == ""
    assert id_base(tmp_path / "specs" / "sub") == id_base(tmp_path / "other" / "sub") == "sub/"
    here = os.getcwd()
    try:
        os.chdir(tmp_path / "specs")
        assert id_base(type(tmp_path)("sub")) == "sub/"
    finally:
        os.chdir(here)


def test_a_folder_whose_parent_holds_no_documents_or_is_a_project_is_the_root(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert id_base(tmp_path / "a" / "b") == ""
    (tmp_path / "a" / "README.rst").write_text("x")
    assert id_base(tmp_path / "a" / "b") == "b/"
    (tmp_path / "a" / "setup.cfg").write_text("")
    assert id_base(tmp_path / "a" / "b") == ""  # never up into a project's root
