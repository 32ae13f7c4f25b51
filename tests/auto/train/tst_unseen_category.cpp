// data.unseen in the TorchScript export, trained for real: with `error` the exported model
// refuses a categorical value outside its vocabulary — the message names the value, the column
// and the row — and answers the values it knows; its vocabulary is every value of the training
// file (a value only the validation rows hold is known); the signature says `unseen` and gives
// the server a sample row to warm up with. With `other` (the default) the same unseen value is
// answered, and the vocabulary is the training split's.

#include "core/train/dataset.h"
#include "core/train/script_model.h"
#include "core/train/trainer.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace orrery;
using namespace orrery::train;
using testing::writeFile;

namespace {

constexpr int kRows = 300;
const char *const kColours[] = {"red", "green", "blue"};

// x1, colour, region, label — `teal` replaces the colour of row `tealRow` (-1: none).
QByteArray csv(int tealRow)
{
    QByteArray out = "x1,colour,region,label\n";
    for (int i = 0; i < kRows; ++i) {
        const double x1 = std::sin(i * 1.7) * 2.0;
        const int c = (i * 7) % 3;
        const int label = x1 + (c == 0 ? 0.8 : -0.4) > 0 ? 1 : 0;
        out += QByteArray::number(x1, 'g', 10) + ',' + (i == tealRow ? "teal" : kColours[c]) + ',' + (i % 2 ? "north" : "south") + ','
               + QByteArray::number(label) + '\n';
    }
    return out;
}

QByteArray yaml(const QString &path, const QByteArray &encoding, const QByteArray &unseen)
{
    return "task: classification\n"
           "data:\n  path: " + path.toUtf8() + "\n  label: label\n  validation_fraction: 0.3\n" + unseen +
           "model:\n  hidden: [8]\n  categorical_encoding: " + encoding + "\n  embedding_dim: 2\n"
           "optimizer:\n  lr: 0.01\n"
           "training:\n  epochs: 2\n  batch_size: 32\n  seed: 3\n";
}

ModelInput numbers(std::vector<float> v)
{
    ModelInput in;
    in.values = std::move(v);
    return in;
}

ModelInput texts(std::vector<QStringList> rows)
{
    ModelInput in;
    in.texts = std::move(rows);
    return in;
}

} // namespace

class TstUnseenCategory : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    Result<TrainOutcome> trainOn(const QString &csvPath, const QByteArray &encoding, const QByteArray &unseen, TrainConfig *used = nullptr)
    {
        auto config = parseTrainConfig(yaml(csvPath, encoding, unseen), QStringLiteral("train.yaml"), m_dir.path());
        if (!config)
            return config.status();
        if (used)
            *used = *config;
        TrainRequest r;
        r.config = *config;
        r.outputDir = m_dir.filePath(QStringLiteral("out%1").arg(++m_n));
        return orrery::train::train(r);
    }

private Q_SLOTS:
    void strictModelRefusesUnseenValuesAndAnswersKnownOnes_data()
    {
        QTest::addColumn<QByteArray>("encoding");
        QTest::newRow("one_hot") << QByteArray("one_hot");
        QTest::newRow("embedding") << QByteArray("embedding");
    }
    void strictModelRefusesUnseenValuesAndAnswersKnownOnes()
    {
        QFETCH(QByteArray, encoding);
        // A colour that only one validation row holds: the split depends on the row count and
        // the seed alone, so the plain file's split says which row is a validation row.
        const QString plainPath = writeFile(m_dir, QStringLiteral("plain-%1.csv").arg(QString::fromLatin1(encoding)), csv(-1));
        auto plainConfig = parseTrainConfig(yaml(plainPath, encoding, "  unseen: error\n"), QStringLiteral("train.yaml"), m_dir.path());
        QVERIFY2(plainConfig.isOk(), qPrintable(plainConfig.status().message()));
        auto plainData = prepareData(*plainConfig);
        QVERIFY2(plainData.isOk(), qPrintable(plainData.status().message()));
        QVERIFY(!plainData->validation.sourceRows.empty());
        const int tealRow = plainData->validation.sourceRows.front();
        const QByteArray bytes = csv(tealRow);
        const QString path = writeFile(m_dir, QStringLiteral("teal-%1.csv").arg(QString::fromLatin1(encoding)), bytes);

        TrainConfig config;
        auto outcome = trainOn(path, encoding, "  unseen: error\n", &config);
        QVERIFY2(outcome.isOk(), qPrintable(outcome.status().message()));
        auto data = prepareData(config);
        QVERIFY2(data.isOk(), qPrintable(data.status().message()));
        QVERIFY(data->pre.unseen == UnseenPolicy::Error);
        QCOMPARE(data->pre.categorical[0].name, QStringLiteral("colour"));
        QCOMPARE(data->pre.categorical[0].categories, (QStringList{QStringLiteral("blue"), QStringLiteral("green"), QStringLiteral("red"), QStringLiteral("teal")}));
        auto back = Preprocessor::fromJson(data->pre.toJson());
        QVERIFY(back.isOk());
        QVERIFY(back->unseen == UnseenPolicy::Error);

        auto model = ScriptModel::load(outcome->modelPath);
        QVERIFY2(model.isOk(), qPrintable(model.status().message()));
        const QJsonObject categorical = (*model)->signature().value(QStringLiteral("inputs")).toArray()[1].toObject();
        QCOMPARE(categorical.value(QStringLiteral("columns")).toArray(), (QJsonArray{QStringLiteral("colour"), QStringLiteral("region")}));
        QCOMPARE(categorical.value(QStringLiteral("unseen")).toString(), QStringLiteral("error"));
        QCOMPARE(categorical.value(QStringLiteral("sample")).toArray(), (QJsonArray{QStringLiteral("blue"), QStringLiteral("north")}));

        // Known values (teal among them, though no training row has it) are answered.
        auto known = (*model)->predict({numbers({0.5f, -1.0f, 2.0f}),
                                        texts({{QStringLiteral("red"), QStringLiteral("north")},
                                               {QStringLiteral("teal"), QStringLiteral("south")},
                                               {QStringLiteral("blue"), QStringLiteral("north")}})},
                                       3);
        QVERIFY2(known.isOk(), qPrintable(known.status().message()));
        QCOMPARE(known->rows, 3);
        for (int r = 0; r < 3; ++r)
            QVERIFY(std::abs(known->values[size_t(r) * 2] + known->values[size_t(r) * 2 + 1] - 1.0) < 1e-6);
        // The whole training file, as the pipeline's predict stage scores it: no row refused.
        {
            const QList<QByteArray> lines = bytes.trimmed().split('\n');
            QStringList header;
            for (const auto &h : lines[0].split(','))
                header << QString::fromUtf8(h);
            std::vector<std::vector<std::string>> table;
            for (int i = 1; i < lines.size(); ++i) {
                std::vector<std::string> row;
                for (const auto &f : lines[i].split(','))
                    row.push_back(f.toStdString());
                table.push_back(row);
            }
            auto all = (*model)->predictTable(header, table);
            QVERIFY2(all.isOk(), qPrintable(all.status().message()));
            QCOMPARE(all->rows, kRows);
        }

        // An unseen value in the second row: the call is refused, naming value, column and row.
        auto refused = (*model)->predict({numbers({0.5f, 0.1f}),
                                          texts({{QStringLiteral("red"), QStringLiteral("north")},
                                                 {QStringLiteral("red"), QStringLiteral("east")}})},
                                         2);
        QVERIFY(!refused.isOk());
        QCOMPARE(refused.status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(refused.status().message(),
                 QStringLiteral("the model refused the input: unseen category 'east' in column 'region' (row 2 of 2): the model was trained "
                                "with data.unseen: error and knows only the 2 values of its training data; retrain on data that has it, "
                                "or with data.unseen: other"));
        // The empty string is a value like any other: unseen here.
        auto empty = (*model)->predict({numbers({0.5f}), texts({{QString(), QStringLiteral("north")}})}, 1);
        QVERIFY(!empty.isOk());
        QVERIFY2(empty.status().message().contains(QStringLiteral("unseen category '' in column 'colour' (row 1 of 1)")), qPrintable(empty.status().message()));
        // The module is still usable after a refusal.
        QVERIFY((*model)->predict({numbers({0.5f}), texts({{QStringLiteral("green"), QStringLiteral("south")}})}, 1).isOk());
    }

    void defaultModelAnswersUnseenValues()
    {
        const QString path = writeFile(m_dir, QStringLiteral("default.csv"), csv(-1));
        TrainConfig config;
        auto outcome = trainOn(path, "one_hot", {}, &config);
        QVERIFY2(outcome.isOk(), qPrintable(outcome.status().message()));
        QVERIFY(config.data.unseen == UnseenPolicy::Other);
        auto model = ScriptModel::load(outcome->modelPath);
        QVERIFY2(model.isOk(), qPrintable(model.status().message()));
        const QJsonObject categorical = (*model)->signature().value(QStringLiteral("inputs")).toArray()[1].toObject();
        QCOMPARE(categorical.value(QStringLiteral("unseen")).toString(), QStringLiteral("other"));
        QVERIFY(!categorical.contains(QStringLiteral("sample")));
        auto odd = (*model)->predict({numbers({0.5f, 0.1f}),
                                      texts({{QStringLiteral("purple"), QStringLiteral("east")}, {QStringLiteral("red"), QStringLiteral("north")}})},
                                     2);
        QVERIFY2(odd.isOk(), qPrintable(odd.status().message()));
        QCOMPARE(odd->rows, 2);
        QVERIFY(std::abs(odd->values[0] + odd->values[1] - 1.0) < 1e-6);
        // Its preprocessing says nothing of the option (as before it existed).
        auto data = prepareData(config);
        QVERIFY(data.isOk());
        QVERIFY(!data->pre.toJson().contains(QStringLiteral("unseen")));
    }
};

QTEST_GUILESS_MAIN(TstUnseenCategory)
#include "tst_unseen_category.moc"
