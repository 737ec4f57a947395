"""Loader: published layout -> Splits, normalisation, Chesseract padding, and every error."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from einspace.data.unseen import (
    NAMES,
    SPECS,
    DatasetFileError,
    LoadConfig,
    Provenance,
    get_spec,
    load_arrays,
    load_unseen,
    write_layout,
)

SMALL = {"train": 12, "valid": 5, "test": 4}


def _arrays(name: str, rng: np.random.Generator, sizes=SMALL) -> dict[str, np.ndarray]:
    spec = get_spec(name)
    out = {}
    for split, n in sizes.items():
        out[f"{split}_x"] = rng.normal(2.0, 3.0, size=(n, *spec.shape)).astype(np.float32)
        out[f"{split}_y"] = np.arange(n) % spec.num_classes
    return out


def _write_published(directory, arrays, metadata=None):
    """The layout as downloaded: bare .npy files, optional metadata without provenance."""
    os.makedirs(directory, exist_ok=True)
    for key, value in arrays.items():
        np.save(os.path.join(directory, f"{key}.npy"), value)
    if metadata is not None:
        with open(os.path.join(directory, "metadata"), "w") as f:
            json.dump(metadata, f)


def _variant(name: str) -> Provenance:
    return Provenance(
        kind="variant", variant="test", rule="random", source="test", seed=0,
        class_names=get_spec(name).class_names,
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_dataset_loads_as_splits(tmp_path, name):
    rng = np.random.default_rng(0)
    arrays = _arrays(name, rng)
    write_layout(str(tmp_path / name.lower()), get_spec(name), arrays, _variant(name))
    splits = load_unseen(name, str(tmp_path))
    spec = get_spec(name)
    pad = 10 if name == "Chesseract" else 0
    expected = (spec.shape[0], spec.shape[1] + pad, spec.shape[2] + pad)
    assert splits.input_shape == expected
    assert splits.num_classes == spec.num_classes
    assert splits.train.x.dtype == np.float32 and splits.train.y.dtype == np.int32
    assert [len(s) for _, s in splits.items()] == [12, 5, 4]
    assert splits.name == f"{spec.name} (variant:test)"


def test_normalisation_uses_train_statistics_per_channel(tmp_path):
    rng = np.random.default_rng(1)
    arrays = _arrays("AddNIST", rng)
    arrays["train_x"][:, 1] += 10.0  # channel 1 has its own mean
    write_layout(str(tmp_path / "addnist"), get_spec("AddNIST"), arrays, _variant("AddNIST"))
    splits = load_unseen("addnist", str(tmp_path))
    train = np.asarray(splits.train.x, dtype=np.float64)
    np.testing.assert_allclose(train.mean(axis=(0, 2, 3)), 0.0, atol=1e-5)
    np.testing.assert_allclose(train.std(axis=(0, 2, 3)), 1.0, atol=1e-5)
    # naive reference: valid normalised with the *train* mean/std of each channel
    ref = arrays["valid_x"].astype(np.float64)
    for c in range(3):
        tc = arrays["train_x"][:, c].astype(np.float64)
        ref[:, c] = (ref[:, c] - tc.mean()) / tc.std()
    np.testing.assert_allclose(np.asarray(splits.valid.x), ref, atol=1e-4)


def test_chesseract_padding_is_optional_and_zero(tmp_path):
    rng = np.random.default_rng(2)
    arrays = _arrays("Chesseract", rng)
    write_layout(str(tmp_path / "chesseract"), get_spec("chesseract"), arrays, _variant("Chesseract"))
    padded = load_unseen("chesseract", str(tmp_path))
    plain = load_unseen("chesseract", str(tmp_path), LoadConfig(pad_chesseract=False))
    assert padded.input_shape == (12, 18, 18) and plain.input_shape == (12, 8, 8)
    px = np.asarray(padded.test.x)
    np.testing.assert_array_equal(px[:, :, 5:13, 5:13], np.asarray(plain.test.x))
    assert np.all(px[:, :, :5] == 0) and np.all(px[:, :, :, 13:] == 0)


def test_published_layout_without_provenance_is_the_papers_dataset(tmp_path):
    arrays = _arrays("Gutenberg", np.random.default_rng(3))
    _write_published(tmp_path / "gutenberg", arrays, {"num_classes": 6, "codename": "x"})
    splits = load_unseen("gutenberg", str(tmp_path), LoadConfig(check_sizes=False))
    assert splits.name == "Gutenberg" and splits.num_classes == 6


def test_published_sizes_are_enforced(tmp_path):
    _write_published(tmp_path / "addnist", _arrays("AddNIST", np.random.default_rng(4)))
    with pytest.raises(DatasetFileError, match=r"train_x\.npy: expected 45000 train .* found 12"):
        load_arrays("addnist", str(tmp_path))


def _break(tmp_path, name, mutate):
    arrays = _arrays(name, np.random.default_rng(5))
    mutate(arrays)
    _write_published(tmp_path / name.lower(), arrays)
    return tmp_path


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda a: a.update(train_x=a["train_x"][:, :2]), r"train_x\.npy: expected shape \(N, 3, 28, 28\), found shape \(12, 2, 28, 28\)"),
        (lambda a: a.update(valid_x=a["valid_x"][0]), r"valid_x\.npy: expected shape \(N, 3, 28, 28\), found shape \(3, 28, 28\)"),
        (lambda a: a.update(test_x=a["test_x"].astype(np.int16)), r"test_x\.npy: expected dtype float, found int16"),
        (lambda a: a.update(train_y=a["train_y"] + 0.5), r"train_y\.npy: expected integer labels, found non-integer"),
        (lambda a: a.update(valid_y=np.array(["a"] * 5)), r"valid_y\.npy: expected dtype int/uint/float, found <U1"),
        (lambda a: a.update(train_y=np.full(12, 20)), r"train_y\.npy: expected labels in 0\.\.19, found min 20, max 20"),
        (lambda a: a.update(valid_y=np.full(5, -1)), r"valid_y\.npy: expected labels in 0\.\.19, found min -1"),
        (lambda a: a.update(test_y=a["test_y"][:3]), r"test_y\.npy: expected 4 labels .* found 3"),
        (lambda a: a["train_x"].__setitem__((0, 0, 0, 0), np.nan), r"train_x\.npy: expected finite values"),
        (lambda a: a.update(train_y=np.array(list(range(12)), dtype=object)), r"train_y\.npy: expected a numeric array, found a pickled object array"),
    ],
)
def test_malformed_files_raise_errors_naming_file_expected_found(tmp_path, mutate, pattern):
    root = _break(tmp_path, "AddNIST", mutate)
    with pytest.raises(DatasetFileError, match=pattern):
        load_arrays("addnist", str(root), check_sizes=False)


def test_truncated_file_is_rejected_with_byte_counts(tmp_path):
    _write_published(tmp_path / "language", _arrays("Language", np.random.default_rng(6)))
    path = tmp_path / "language" / "valid_x.npy"
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(DatasetFileError, match=rf"valid_x\.npy: truncated .* needs {len(data)} bytes, found {len(data) - 100}"):
        load_arrays("language", str(tmp_path), check_sizes=False)


def test_missing_file_and_garbage_header_and_bad_metadata(tmp_path):
    _write_published(tmp_path / "multnist", _arrays("MultNIST", np.random.default_rng(7)))
    (tmp_path / "multnist" / "test_y.npy").unlink()
    with pytest.raises(DatasetFileError, match=r"test_y\.npy: file not found"):
        load_arrays("multnist", str(tmp_path), check_sizes=False)
    (tmp_path / "multnist" / "test_y.npy").write_bytes(b"<html>not found</html>")
    with pytest.raises(DatasetFileError, match=r"test_y\.npy: expected a \.npy file"):
        load_arrays("multnist", str(tmp_path), check_sizes=False)
    (tmp_path / "multnist" / "metadata").write_text("{broken")
    with pytest.raises(DatasetFileError, match=r"metadata: expected JSON"):
        load_arrays("multnist", str(tmp_path), check_sizes=False)
    (tmp_path / "multnist" / "metadata").write_text('{"num_classes": 7}')
    with pytest.raises(DatasetFileError, match=r"expected num_classes=10 for MultNIST, found 7"):
        load_arrays("multnist", str(tmp_path), check_sizes=False)


def test_missing_folder_and_unknown_name(tmp_path):
    with pytest.raises(DatasetFileError, match=r"dataset folder not found .* `einspace data download cifartile"):
        load_arrays("cifartile", str(tmp_path))
    with pytest.raises(KeyError, match=r"name='mnist'; valid: AddNIST, Language"):
        load_arrays("mnist", str(tmp_path))


def test_variant_metadata_sizes_are_enforced(tmp_path):
    arrays = _arrays("CIFARTile", np.random.default_rng(8))
    write_layout(str(tmp_path / "cifartile"), get_spec("cifartile"), arrays, _variant("CIFARTile"))
    np.save(tmp_path / "cifartile" / "valid_x.npy", arrays["valid_x"][:2])
    np.save(tmp_path / "cifartile" / "valid_y.npy", arrays["valid_y"][:2])
    with pytest.raises(DatasetFileError, match=r"valid_x\.npy: expected 5 valid examples for CIFARTile, found 2"):
        load_arrays("cifartile", str(tmp_path))


def test_specs_match_the_paper_table():
    assert len(SPECS) == 8
    assert get_spec("geoclassing").sizes == (43_821, 8_758, 8_751)
    assert get_spec("Chesseract").shape == (12, 8, 8) and get_spec("chesseract").num_classes == 3
    assert sum(get_spec("addnist").sizes) == 20 * 3_500
    for spec in SPECS.values():
        assert len(spec.class_names) == spec.num_classes, spec.name
    assert not get_spec("isabella").buildable and get_spec("isabella").doi is None
    assert get_spec("addnist").doi == "10.25405/data.ncl.24574354"


def test_provenance_requires_a_label_for_non_faithful_data():
    with pytest.raises(ValueError, match="needs a variant label"):
        Provenance(kind="substitute", rule="r", source="s", seed=0, class_names=("a",))
    with pytest.raises(ValueError, match=r"kind='fake' is not valid"):
        Provenance(kind="fake", rule="r", source="s", seed=0, class_names=("a",))


def test_float_labels_that_are_integers_are_accepted(tmp_path):
    arrays = _arrays("Language", np.random.default_rng(9))
    arrays["train_y"] = arrays["train_y"].astype(np.float64)
    _write_published(tmp_path / "language", arrays)
    loaded = load_arrays("language", str(tmp_path), check_sizes=False)
    assert loaded["train_y"].dtype == np.int32
    np.testing.assert_array_equal(loaded["train_y"], np.arange(12) % 10)


def test_pickled_arrays_only_when_allowed(tmp_path):
    arrays = _arrays("Chesseract", np.random.default_rng(10))
    ragged = np.empty(12, dtype=object)
    for i in range(12):
        ragged[i] = arrays["train_x"][i]
    arrays["train_x"] = ragged
    arrays["train_y"] = np.array(list(arrays["train_y"]), dtype=object)
    _write_published(tmp_path / "chesseract", arrays)
    with pytest.raises(DatasetFileError, match="pickled object array"):
        load_arrays("chesseract", str(tmp_path), check_sizes=False)
    loaded = load_arrays("chesseract", str(tmp_path), check_sizes=False, allow_pickle=True)
    assert loaded["train_x"].shape == (12, 12, 8, 8) and loaded["train_y"].dtype == np.int32
    splits = load_unseen("chesseract", str(tmp_path), LoadConfig(check_sizes=False, allow_pickle=True))
    assert splits.input_shape == (12, 18, 18)


def test_malformed_provenance_is_a_dataset_error(tmp_path):
    arrays = _arrays("AddNIST", np.random.default_rng(11))
    write_layout(str(tmp_path / "addnist"), get_spec("addnist"), arrays, _variant("AddNIST"))
    path = tmp_path / "addnist" / "metadata.json"
    meta = json.loads(path.read_text())
    meta["provenance"]["kind"] = "paper"
    path.write_text(json.dumps(meta))
    with pytest.raises(DatasetFileError, match=r"kind='paper' is not valid"):
        load_arrays("addnist", str(tmp_path))
    meta["provenance"] = {"kind": "variant"}
    path.write_text(json.dumps(meta))
    with pytest.raises(DatasetFileError, match=r"expected a record with keys .* found \['kind'\]"):
        load_arrays("addnist", str(tmp_path))
