// orrery-cli models … and predict NAME@ALIAS / NAME/VERSION as a user runs them, without LibTorch:
// the demo's baseline pipeline (its model.json is registered as not servable), a file that is no
// model, bad names, aliases on missing or archived versions, blocked promotions, the alias
// history at a moment, cards, gates, a changed cache object, and --json that parses.
#include "tests/support/test_support.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::readFile;
using testing::runCli;
using testing::writeFile;

class TstCliModels : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_trainRun;

    Run cli(QStringList args) { return runCli(args, m_ws); }

    QJsonObject jsonObject(const Run &r)
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            qWarning("not a JSON object: %s", qPrintable(r.describe()));
        return doc.object();
    }

    // Registers `file` as a new version of `name`; its JSON.
    QJsonObject registerFile(const QString &name, const QString &file, const QStringList &more = {})
    {
        const Run r = cli(QStringList{QStringLiteral("models"), QStringLiteral("register"), name, QStringLiteral("--file"), file, QStringLiteral("--json")} + more);
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return jsonObject(r);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        Run r = runCli({QStringLiteral("demo"), m_ws, QStringLiteral("--baseline-trainer")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        for (const QJsonValue &run : QJsonDocument::fromJson(r.out.toUtf8()).array())
            if (run.toObject().value(QStringLiteral("run_name")).toString() == QLatin1String("train"))
                m_trainRun = run.toObject().value(QStringLiteral("run_id")).toString();
        QVERIFY(!m_trainRun.isEmpty());
        writeFile(m_ws + QStringLiteral("/notamodel.pt"), "these bytes are no TorchScript archive");
    }

    void registerFromARunShowsLineageAndJson()
    {
        const QJsonObject v = registerFile(QStringLiteral("fraud"), QStringLiteral("models/model.json"),
                                           {QStringLiteral("--run"), m_trainRun.left(8), QStringLiteral("--tag"), QStringLiteral("team=risk"),
                                            QStringLiteral("--description"), QStringLiteral("baseline")});
        QCOMPARE(v.value(QStringLiteral("name")).toString(), QStringLiteral("fraud"));
        QCOMPARE(v.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(v.value(QStringLiteral("run_id")).toString(), m_trainRun);
        QVERIFY(!v.value(QStringLiteral("parent_run_id")).toString().isEmpty());
        QCOMPARE(v.value(QStringLiteral("format")).toString(), QStringLiteral("orrery.baseline_logistic"));
        QCOMPARE(v.value(QStringLiteral("servable")).toBool(), false);
        QVERIFY(v.value(QStringLiteral("not_servable_reason")).toString().contains(QStringLiteral("TorchScript")));
        QCOMPARE(v.value(QStringLiteral("validation")).toString(), QStringLiteral("not_run"));
        QCOMPARE(v.value(QStringLiteral("source")).toString(), QStringLiteral("models/model.json"));
        QCOMPARE(v.value(QStringLiteral("model_md5")).toString().size(), 32);
        QCOMPARE(v.value(QStringLiteral("tags")).toObject().value(QStringLiteral("team")).toString(), QStringLiteral("risk"));
        QCOMPARE(v.value(QStringLiteral("commit")).toString().size(), 40);
        QVERIFY(v.value(QStringLiteral("lineage")).toObject().value(QStringLiteral("data")).toArray().size() > 0);
        QVERIFY(v.value(QStringLiteral("lineage")).toObject().value(QStringLiteral("params")).toObject().contains(QStringLiteral("train.epochs")));

        Run r = cli({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonArray models = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(models.size(), 1);
        const QJsonObject m = models.first().toObject();
        QCOMPARE(m.value(QStringLiteral("name")).toString(), QStringLiteral("fraud"));
        QCOMPARE(m.value(QStringLiteral("versions")).toInt(), 1);
        QVERIFY(m.value(QStringLiteral("champion")).isNull());
        QVERIFY(m.value(QStringLiteral("challenger")).isNull());
        QVERIFY(!m.value(QStringLiteral("last_updated_time")).toString().isEmpty());

        r = cli({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--filter"), QStringLiteral("%nothing%")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("No registered model matches")));

        r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject shown = jsonObject(r);
        QVERIFY(shown.value(QStringLiteral("gates")).toObject().contains(QStringLiteral("require_data_tests")));
        QCOMPARE(shown.value(QStringLiteral("version_list")).toArray().size(), 1);

        r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("servable    no: ")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("parent run  ")));
        QVERIFY(r.out.contains(QStringLiteral("Validation  not_run")));
        QVERIFY(r.out.contains(QStringLiteral("register stage")));
    }

    void badModelNamesAreRefused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("why");
        QTest::newRow("slash") << QStringLiteral("a/b") << QStringLiteral("no '/'");
        QTest::newRow("dotdot") << QStringLiteral("a..b") << QStringLiteral("no '..'");
        QTest::newRow("control") << QStringLiteral("a\x01z") << QStringLiteral("control character");
    }
    void badModelNamesAreRefused()
    {
        QFETCH(QString, name);
        QFETCH(QString, why);
        const Run r = cli({QStringLiteral("models"), QStringLiteral("register"), name, QStringLiteral("--file"), QStringLiteral("notamodel.pt")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(why) && r.err.contains(QStringLiteral("choose another name")), qPrintable(r.err));
        const Run list = cli({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        for (const QJsonValue &m : QJsonDocument::fromJson(list.out.toUtf8()).array())
            QVERIFY(m.toObject().value(QStringLiteral("name")).toString() != name);
    }

    void aliasOnMissingVersionIsRefused()
    {
        registerFile(QStringLiteral("aliases"), QStringLiteral("notamodel.pt"));
        const Run r = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("aliases"), QStringLiteral("staging"), QStringLiteral("7")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no version 7")) && r.err.contains(QStringLiteral("models show aliases")), qPrintable(r.err));
        const Run missingModel = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("nosuch"), QStringLiteral("staging"), QStringLiteral("1")});
        QCOMPARE(missingModel.code, 2);
        QVERIFY2(missingModel.err.contains(QStringLiteral("nosuch")), qPrintable(missingModel.err));
    }

    void aliasOnArchivedVersionIsRefused()
    {
        registerFile(QStringLiteral("archived"), QStringLiteral("notamodel.pt"));
        Run r = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("archived"), QStringLiteral("staging"), QStringLiteral("1")});
        QCOMPARE(r.code, 0);
        r = cli({QStringLiteral("models"), QStringLiteral("archive"), QStringLiteral("archived"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QCOMPARE(jsonObject(r).value(QStringLiteral("archived")).toBool(), true);
        QVERIFY(jsonObject(r).value(QStringLiteral("aliases")).toArray().isEmpty()); // archiving took staging away
        r = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("archived"), QStringLiteral("staging"), QStringLiteral("1")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("archived")) && r.err.contains(QStringLiteral("--undo")), qPrintable(r.err));
        r = cli({QStringLiteral("models"), QStringLiteral("archive"), QStringLiteral("archived"), QStringLiteral("1"), QStringLiteral("--undo")});
        QCOMPARE(r.code, 0);
        r = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("archived"), QStringLiteral("staging"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QCOMPARE(jsonObject(r).value(QStringLiteral("version")).toInt(), 1);
        r = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("archived"), QStringLiteral("staging"), QStringLiteral("--delete")});
        QCOMPARE(r.code, 0);
        r = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("archived"), QStringLiteral("staging"), QStringLiteral("--delete")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no alias 'staging'")), qPrintable(r.err));
    }

    void promoteWithNoChallengerIsAnError()
    {
        registerFile(QStringLiteral("nochallenger"), QStringLiteral("notamodel.pt"));
        const Run r = cli({QStringLiteral("models"), QStringLiteral("promote"), QStringLiteral("nochallenger")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no challenger")) && r.err.contains(QStringLiteral("--version")), qPrintable(r.err));
    }

    void blockedPromotionExitsOneWithTheReason()
    {
        registerFile(QStringLiteral("blocked"), QStringLiteral("models/model.json"));
        Run r = cli({QStringLiteral("models"), QStringLiteral("promote"), QStringLiteral("blocked"), QStringLiteral("--version"), QStringLiteral("1")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("cannot promote blocked v1")) && r.err.contains(QStringLiteral("cannot be served")), qPrintable(r.err));
        r = cli({QStringLiteral("models"), QStringLiteral("promote"), QStringLiteral("blocked"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        QCOMPARE(jsonObject(r).value(QStringLiteral("promoted")).toBool(true), false);
        QVERIFY(!jsonObject(r).value(QStringLiteral("blocker")).toString().isEmpty());
        r = cli({QStringLiteral("models"), QStringLiteral("promote"), QStringLiteral("blocked"), QStringLiteral("--version"), QStringLiteral("9")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no version 9")), qPrintable(r.err));
        r = cli({QStringLiteral("models"), QStringLiteral("demote"), QStringLiteral("blocked")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no champion")), qPrintable(r.err));
    }

    void historyAnswersWhichVersionHeldAnAliasThen()
    {
        registerFile(QStringLiteral("history"), QStringLiteral("notamodel.pt"));
        registerFile(QStringLiteral("history"), QStringLiteral("models/model.json"));
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-60);
        Run r = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("history"), QStringLiteral("staging"), QStringLiteral("1")});
        QCOMPARE(r.code, 0);
        QTest::qWait(20);
        const QDateTime between = QDateTime::currentDateTimeUtc();
        QTest::qWait(20);
        r = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("history"), QStringLiteral("staging"), QStringLiteral("2"), QStringLiteral("--reason"),
                 QStringLiteral("newer")});
        QCOMPARE(r.code, 0);

        r = cli({QStringLiteral("models"), QStringLiteral("history"), QStringLiteral("history"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonArray moves = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(moves.size(), 2);
        const QJsonObject last = moves.last().toObject();
        QCOMPARE(last.value(QStringLiteral("alias")).toString(), QStringLiteral("staging"));
        QCOMPARE(last.value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(last.value(QStringLiteral("previous")).toInt(), 1);
        QCOMPARE(last.value(QStringLiteral("reason")).toString(), QStringLiteral("newer"));
        QVERIFY(!last.value(QStringLiteral("actor")).toString().isEmpty());
        QVERIFY(!last.value(QStringLiteral("time")).toString().isEmpty());

        auto at = [&](const QString &time) {
            const Run a = cli({QStringLiteral("models"), QStringLiteral("history"), QStringLiteral("history"), QStringLiteral("--at"), time, QStringLiteral("--json")});
            if (!a.ok())
                qWarning("%s", qPrintable(a.describe()));
            return jsonObject(a).value(QStringLiteral("aliases")).toObject().value(QStringLiteral("staging"));
        };
        QVERIFY(at(before.toString(Qt::ISODateWithMs)).isNull());
        QCOMPARE(at(between.toString(Qt::ISODateWithMs)).toInt(), 1);
        QCOMPARE(at(QDateTime::currentDateTimeUtc().addSecs(60).toString(Qt::ISODate)).toInt(), 2);
        // "YYYY-MM-DD HH:MM" in local time, and with Z in UTC.
        QCOMPARE(at(QDateTime::currentDateTime().addSecs(120).toString(QStringLiteral("yyyy-MM-dd HH:mm"))).toInt(), 2);
        QVERIFY(at(before.addSecs(-60).toString(QStringLiteral("yyyy-MM-dd HH:mm")) + QLatin1Char('Z')).isNull());

        r = cli({QStringLiteral("models"), QStringLiteral("history"), QStringLiteral("history"), QStringLiteral("--at"), QStringLiteral("yesterday")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("ISO 8601")), qPrintable(r.err));
        r = cli({QStringLiteral("models"), QStringLiteral("history"), QStringLiteral("history")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("newer")));
    }

    void cardAndGates()
    {
        registerFile(QStringLiteral("card"), QStringLiteral("notamodel.pt"));
        writeFile(m_ws + QStringLiteral("/CARD.md"), "# Fraud model\n\nIntended use: scoring card payments.\n");
        Run r = cli({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("card"), QStringLiteral("1"), QStringLiteral("--set"), QStringLiteral("CARD.md")});
        QCOMPARE(r.code, 0);
        r = cli({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("card"), QStringLiteral("1"), QStringLiteral("--print")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("# Fraud model\n\nIntended use: scoring card payments.\n"));
        r = cli({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("card"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(jsonObject(r).value(QStringLiteral("card")).toString(), QStringLiteral("# Fraud model\n\nIntended use: scoring card payments.\n"));
        r = cli({QStringLiteral("models"), QStringLiteral("card"), QStringLiteral("card"), QStringLiteral("1"), QStringLiteral("--set"), QStringLiteral("missing.md")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("missing.md")), qPrintable(r.err));

        r = cli({QStringLiteral("models"), QStringLiteral("gates"), QStringLiteral("card"), QStringLiteral("--rules"), QStringLiteral("roc_auc >= 0.8, recall >= 0.5"),
                 QStringLiteral("--beats-champion"), QStringLiteral("roc_auc"), QStringLiteral("--min-improvement"), QStringLiteral("0.01"),
                 QStringLiteral("--no-data-tests"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QJsonObject g = jsonObject(r);
        QCOMPARE(g.value(QStringLiteral("rules")).toString(), QStringLiteral("roc_auc >= 0.8, recall >= 0.5"));
        QCOMPARE(g.value(QStringLiteral("require_data_tests")).toBool(true), false);
        QCOMPARE(g.value(QStringLiteral("require_compatible_signature")).toBool(false), true);
        QCOMPARE(g.value(QStringLiteral("beats_champion")).toObject().value(QStringLiteral("min_improvement")).toDouble(), 0.01);
        r = cli({QStringLiteral("models"), QStringLiteral("gates"), QStringLiteral("card"), QStringLiteral("--json")});
        g = jsonObject(r);
        QCOMPARE(g.value(QStringLiteral("changed")).toBool(true), false);
        QCOMPARE(g.value(QStringLiteral("beats_champion")).toObject().value(QStringLiteral("metric")).toString(), QStringLiteral("roc_auc"));
        r = cli({QStringLiteral("models"), QStringLiteral("gates"), QStringLiteral("card"), QStringLiteral("--rules"), QStringLiteral("roc_auc >> 3")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("roc_auc >> 3")), qPrintable(r.err));
    }

    void predictRefusesAChangedCacheObject()
    {
        const QJsonObject v = registerFile(QStringLiteral("tampered"), QStringLiteral("notamodel.pt"));
        const QString md5 = v.value(QStringLiteral("model_md5")).toString();
        QCOMPARE(md5.size(), 32);
        const QString object = m_ws + QStringLiteral("/.orrery/cache/files/md5/") + md5.left(2) + QLatin1Char('/') + md5.mid(2);
        QVERIFY(QFile::exists(object));
        QFile::setPermissions(object, QFile::ReadOwner | QFile::WriteOwner);
        writeFile(object, "other bytes entirely");
        const Run r = cli({QStringLiteral("predict"), QStringLiteral("tampered/1"), QStringLiteral("--input"), QStringLiteral("work/test.csv"),
                           QStringLiteral("--output"), QStringLiteral("out.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(object) && r.err.contains(QStringLiteral("refusing to load a changed model")), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_ws + QStringLiteral("/out.csv")));
    }

    void predictOfAMissingOrUnservableModel()
    {
        Run r = cli({QStringLiteral("predict"), QStringLiteral("nosuch@champion"), QStringLiteral("--input"), QStringLiteral("work/test.csv"),
                     QStringLiteral("--output"), QStringLiteral("out.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("'nosuch' does not exist")) && r.err.contains(QStringLiteral("models list")), qPrintable(r.err));
        r = cli({QStringLiteral("predict"), QStringLiteral("models:/fraud/42"), QStringLiteral("--input"), QStringLiteral("work/test.csv"),
                 QStringLiteral("--output"), QStringLiteral("out.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no version 42")), qPrintable(r.err));
        r = cli({QStringLiteral("predict"), QStringLiteral("models:/fraud@nosuchalias"), QStringLiteral("--input"), QStringLiteral("work/test.csv"),
                 QStringLiteral("--output"), QStringLiteral("out.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no alias 'nosuchalias'")), qPrintable(r.err));
        r = cli({QStringLiteral("predict"), QStringLiteral("models:/fraud"), QStringLiteral("--input"), QStringLiteral("work/test.csv"),
                 QStringLiteral("--output"), QStringLiteral("out.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("names no version")), qPrintable(r.err));
        // The baseline's JSON model is kept, but cannot be served.
        r = cli({QStringLiteral("predict"), QStringLiteral("fraud/1"), QStringLiteral("--input"), QStringLiteral("work/test.csv"),
                 QStringLiteral("--output"), QStringLiteral("out.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("fraud v1 cannot be served")), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_ws + QStringLiteral("/out.csv")));
    }

    void usageErrors()
    {
        Run r = cli({QStringLiteral("models")});
        QCOMPARE(r.code, 2);
        r = cli({QStringLiteral("models"), QStringLiteral("frobnicate")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("frobnicate")));
        r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("x")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("--file")));
        r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("x"), QStringLiteral("--file"), QStringLiteral("nothere.pt")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("nothere.pt")));
        r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("nosuch")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("nosuch")) && r.err.contains(QStringLiteral("models list")));
        r = cli({QStringLiteral("models"), QStringLiteral("archive"), QStringLiteral("fraud"), QStringLiteral("first")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("'first' is no version number")));
        r = cli({QStringLiteral("models"), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("NOT validated")), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TstCliModels)
#include "tst_cli_models.moc"
