"""Train the appeal classifier.

manage.py train_classifier                         # from the community's confirmed appeals
manage.py train_classifier --csv P --text-column title --label-column label [--cv 5]
manage.py train_classifier ... --evaluate OTHER.csv   # last line: macro_f1=<value>
"""

import time

from django.core.management.base import BaseCommand, CommandError

from linli.appeals import classifier


class Command(BaseCommand):
    help = "Train the appeal category classifier (scikit-learn on Chinese text)."

    def add_arguments(self, parser):
        parser.add_argument("--csv", help="CSV of labelled past appeals")
        parser.add_argument("--text-column", default="title")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--community", type=int, help="community id: train its own model from its confirmed appeals")
        parser.add_argument("--cv", type=int, default=0, help="also report k-fold cross-validated macro-F1")
        parser.add_argument("--evaluate", help="score the trained model on another labelled CSV (same columns)")
        parser.add_argument("--output", help="model file (default: the data folder)")

    def handle(self, *args, csv, text_column, label_column, community, cv, evaluate, output, **options):
        if csv:
            data = classifier.read_csv(csv, text_column, label_column)
        else:
            from linli.appeals.selectors import confirmed_training_set

            data = confirmed_training_set(community_id=community)
        if len(data.texts) < 10:
            raise CommandError(f"only {len(data.texts)} labelled appeals: too few to train")
        self.stdout.write(f"training on {len(data.texts)} texts, {len(set(data.labels))} categories")
        if cv:
            started = time.perf_counter()
            score = classifier.cross_validate(data, folds=cv)
            self.stdout.write(f"cv_folds={cv} cv_macro_f1={score:.4f} cv_seconds={time.perf_counter() - started:.1f}")
        started = time.perf_counter()
        model = classifier.train(data)
        seconds = time.perf_counter() - started
        path = output or classifier.model_path(community)
        classifier.save(model, path)
        self.stdout.write(f"train_seconds={seconds:.1f} model={path}")
        if evaluate:
            test = classifier.read_csv(evaluate, text_column, label_column)
            self.stdout.write(f"macro_f1={classifier.macro_f1(model, test):.4f}")
