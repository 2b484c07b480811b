"""Background work of appeals (django-tasks): retraining the category classifier."""

from django_tasks import task


@task()
def retrain_classifier(community_id: int | None = None) -> str:
    from linli.appeals import classifier
    from linli.appeals.selectors import confirmed_training_set

    data = confirmed_training_set(community_id=community_id)
    if len(data.texts) < 30 or len(set(data.labels)) < 2:
        return f"skipped: {len(data.texts)} confirmed appeals"
    classifier.save(classifier.train(data), classifier.model_path(community_id))
    return f"trained on {len(data.texts)}"
