"""The category classifier: keyword cold start, training from CSV or from confirmed appeals,
the --evaluate contract, and (when ../shared/data is here) its score on real appeals."""

import csv
import random

import pytest
from django.core.management import call_command

from linli.appeals import classifier
from tests.conftest import shared_data_dir

TOPICS = {
    "facilities": ["路灯坏了", "水管漏水", "井盖松动", "楼道灯不亮", "健身器材损坏"],
    "pets": ["狗叫扰民", "遛狗不牵绳", "猫在楼道", "宠物粪便", "大型犬吓人"],
    "parking": ["车位被占", "电动车乱停", "充电桩不够", "消防通道停车", "违停堵路"],
}


def synthetic_csv(path, n=120, seed=1):
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "label"])
        for _ in range(n):
            label = rng.choice(list(TOPICS))
            w.writerow(
                [f"{rng.choice(['小区', '3栋', '东门'])}{rng.choice(TOPICS[label])}{rng.choice(['', '，请处理', '好几天了'])}", label]
            )


def test_train_and_evaluate_print_macro_f1_last(tmp_path, settings, capsys):
    settings.DATA_DIR = tmp_path
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    synthetic_csv(train, seed=1)
    synthetic_csv(test, n=60, seed=2)
    call_command("train_classifier", csv=str(train), text_column="title", label_column="label", evaluate=str(test), cv=3)
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("macro_f1=")
    assert float(out[-1].split("=")[1]) > 0.9
    assert any(line.startswith("cv_folds=3 cv_macro_f1=") for line in out)


def test_missing_column_is_a_clear_error(tmp_path):
    synthetic_csv(tmp_path / "a.csv")
    with pytest.raises(ValueError, match="no column"):
        classifier.read_csv(tmp_path / "a.csv", "text", "label")


def test_trained_model_suggests_categories(world, tmp_path, settings):
    from linli.appeals.models import Category

    settings.DATA_DIR = tmp_path
    synthetic_csv(tmp_path / "t.csv")
    classifier.save(classifier.train(classifier.read_csv(tmp_path / "t.csv", "title", "label")), classifier.model_path(None))
    # No keyword of the cold-start rules is in this text; the model knows it.
    assert classifier.suggest_category("大型犬吓人", community_id=world.community.pk) == Category.objects.get(code="pets", community=None)


def test_retrain_task_uses_confirmed_appeals(world, new_appeal, tmp_path, settings):
    from linli.appeals import services
    from linli.appeals.models import Category
    from linli.appeals.tasks import retrain_classifier

    settings.DATA_DIR = tmp_path
    rng = random.Random(3)
    for _ in range(36):
        code = rng.choice(list(TOPICS))
        a = new_appeal(description=rng.choice(TOPICS[code]), category=Category.objects.get(code=code, community=None))
        services.appeal_accept(actor=world.user("staff"), appeal=a)
    result = retrain_classifier.call(world.community.pk)
    assert result == "trained on 36"
    assert classifier.model_path(world.community.pk).exists()


@pytest.mark.skipif(not (shared_data_dir() / "appeals-tipdm2020" / "titles_train.csv").exists(), reason="../shared/data not here")
def test_real_appeal_titles_score(tmp_path):
    """Hold out a fifth of the real labelled titles; the model must be far above chance (7 classes)."""
    data = classifier.read_csv(shared_data_dir() / "appeals-tipdm2020" / "titles_train.csv", "title", "label")
    rng = random.Random(0)
    idx = list(range(len(data.texts)))
    rng.shuffle(idx)
    cut = len(idx) // 5
    test = classifier.Dataset([data.texts[i] for i in idx[:cut]], [data.labels[i] for i in idx[:cut]])
    train = classifier.Dataset([data.texts[i] for i in idx[cut:]], [data.labels[i] for i in idx[cut:]])
    assert classifier.macro_f1(classifier.train(train), test) > 0.8
