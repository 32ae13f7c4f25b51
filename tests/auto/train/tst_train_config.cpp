// The training config's data.unseen key (torch-free): other (the default) or error, anything
// else refused at its file:line:column with the allowed values; refused for the tasks that have
// no categorical columns; recorded as a run param only when it is not the default.

#include "core/train/trainer_config.h"

#include <QTest>

using namespace orrery;
using namespace orrery::train;

namespace {

Result<TrainConfig> parse(const QByteArray &yaml)
{
    return parseTrainConfig(yaml, QStringLiteral("train.yaml"), QStringLiteral("/data"));
}

QByteArray tabular(const QByteArray &unseenLine)
{
    return "task: classification\n"
           "data:\n"
           "  path: transactions.csv\n"
           "  label: is_fraud\n" + unseenLine;
}

QString param(const TrainConfig &c, const QString &key)
{
    for (const auto &[k, v] : configParams(c))
        if (k == key)
            return v;
    return QStringLiteral("(absent)");
}

} // namespace

class TstTrainConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unseenDefaultsToOther()
    {
        auto c = parse(tabular({}));
        QVERIFY2(c.isOk(), qPrintable(c.status().message()));
        QVERIFY(c->data.unseen == UnseenPolicy::Other);
        QCOMPARE(param(*c, QStringLiteral("data.unseen")), QStringLiteral("(absent)"));
    }

    void unseenChoices_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<bool>("error");
        QTest::newRow("other") << QByteArray("other") << false;
        QTest::newRow("error") << QByteArray("error") << true;
        QTest::newRow("Error (any case)") << QByteArray("Error") << true;
    }
    void unseenChoices()
    {
        QFETCH(QByteArray, value);
        QFETCH(bool, error);
        auto c = parse(tabular("  unseen: " + value + "\n"));
        QVERIFY2(c.isOk(), qPrintable(c.status().message()));
        QCOMPARE(c->data.unseen == UnseenPolicy::Error, error);
        QCOMPARE(QString::fromLatin1(unseenPolicyName(c->data.unseen)), error ? QStringLiteral("error") : QStringLiteral("other"));
        // The strict choice is a run param (compare and search runs by it); the default is not.
        QCOMPARE(param(*c, QStringLiteral("data.unseen")), error ? QStringLiteral("error") : QStringLiteral("(absent)"));
    }

    void unknownValueNamesTheKeyThePlaceAndTheChoices()
    {
        auto c = parse(tabular("  unseen: strict\n"));
        QVERIFY(!c.isOk());
        QCOMPARE(c.status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(c.status().message(), QStringLiteral("train.yaml:5:11: 'data.unseen' must be one of other, error, not 'strict'"));
        auto list = parse(tabular("  unseen: [error]\n"));
        QVERIFY(!list.isOk());
        QCOMPARE(list.status().message(), QStringLiteral("train.yaml:5:11: 'data.unseen' must be a single value"));
    }

    void misspeltKeyListsUnseenAmongTheAllowed()
    {
        auto c = parse(tabular("  unseen_values: error\n"));
        QVERIFY(!c.isOk());
        QVERIFY2(c.status().message().startsWith(QStringLiteral("train.yaml:5:3: unknown key 'data.unseen_values'")), qPrintable(c.status().message()));
        QVERIFY2(c.status().message().contains(QStringLiteral(", unseen,")), qPrintable(c.status().message()));
    }

    void refusedWhereThereAreNoCategories()
    {
        auto c = parse("task: forecast\ndata:\n  path: series.csv\n  label: load\n  unseen: error\n");
        QVERIFY(!c.isOk());
        QCOMPARE(c.status().message(),
                 QStringLiteral("train.yaml:5:11: 'data.unseen' is about categorical columns, which a forecast task has none of; remove it"));
        QVERIFY(parse("task: regression\ndata:\n  path: t.csv\n  label: y\n  unseen: error\n").isOk());
    }
};

QTEST_GUILESS_MAIN(TstTrainConfig)
#include "tst_train_config.moc"
