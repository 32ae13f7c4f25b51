// Runs nested under their parents (the Experiments table's tree). Hand-worked cases for the rules
// a user sees: children under their parent, a parent standing where its best child stands in the
// query, a child whose parent the filter hid at the top level, cycles and self-parents losing no
// run. Then random forests checked against the definition: every run once, top level first,
// siblings together and ranked by their subtree's first run in the query. And parentRunIds over a
// real database.
#include "core/store/database.h"
#include "core/tracking/run_tree.h"
#include "core/tracking/tracking_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <random>

using namespace orrery;
using namespace orrery::tracking;

namespace {

// The tree as text: "a(b c) d" — easy to read in a failure.
QString render(const RunTree &t, int position)
{
    QString s = t.ids[position];
    if (t.childCount(position) > 0) {
        QStringList children;
        for (int r = 0; r < t.childCount(position); ++r)
            children << render(t, t.child(position, r));
        s += QLatin1Char('(') + children.join(QLatin1Char(' ')) + QLatin1Char(')');
    }
    return s;
}

QString render(const RunTree &t)
{
    QStringList roots;
    for (const int r : t.roots)
        roots << render(t, r);
    return roots.join(QLatin1Char(' '));
}

QStringList split(const char *s)
{
    return QString::fromLatin1(s).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

} // namespace

class TstRunTree : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flatWithoutParents()
    {
        const RunTree t = arrangeRunTree(split("c a b"), {});
        QCOMPARE(render(t), QStringLiteral("c a b"));
        QCOMPARE(t.ids, split("c a b"));
        QCOMPARE(t.rowInParent, (QVector<int>{0, 1, 2}));
    }

    void childrenUnderParentInQueryOrder()
    {
        // The query's order (say, by loss) interleaves two pipeline runs' stages.
        const QHash<QString, QString> parentOf{{QStringLiteral("s1"), QStringLiteral("p1")}, {QStringLiteral("s2"), QStringLiteral("p2")},
                                               {QStringLiteral("s3"), QStringLiteral("p1")}, {QStringLiteral("t1"), QStringLiteral("s3")}};
        const RunTree t = arrangeRunTree(split("s3 p2 s1 p1 t1 s2 x"), parentOf);
        // p1 stands where its best run (s3, first in the query) stands, ahead of p2.
        QCOMPARE(render(t), QStringLiteral("p1(s3(t1) s1) p2(s2) x"));
        QCOMPARE(t.ids, split("p1 p2 x s3 s1 s2 t1")); // level order
        QCOMPARE(t.parent, (QVector<int>{-1, -1, -1, 0, 0, 1, 3}));
        QCOMPARE(t.rowInParent, (QVector<int>{0, 1, 2, 0, 1, 0, 0}));
        QCOMPARE(t.roots, (QVector<int>{0, 1, 2}));
    }

    void childOfAHiddenParentIsTopLevel()
    {
        // The filter kept s1 and s2 but not their pipeline run p1.
        const QHash<QString, QString> parentOf{{QStringLiteral("s1"), QStringLiteral("p1")}, {QStringLiteral("s2"), QStringLiteral("p1")}};
        QCOMPARE(render(arrangeRunTree(split("s1 q s2"), parentOf)), QStringLiteral("s1 q s2"));
    }

    void cyclesAndSelfParentsKeepEveryRun()
    {
        const QHash<QString, QString> parentOf{{QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("b"), QStringLiteral("a")},
                                               {QStringLiteral("c"), QStringLiteral("a")}, {QStringLiteral("d"), QStringLiteral("d")}};
        const RunTree t = arrangeRunTree(split("c b d a"), parentOf);
        // d's tag names itself: top level. a and b name each other: the first of them in the
        // query's order (b) is taken as the top; top-level runs keep the query's order.
        QCOMPARE(render(t), QStringLiteral("b(a(c)) d"));
        QCOMPARE(t.size(), 4);
    }

    void randomForestsFollowTheDefinition()
    {
        std::mt19937 rng(7);
        for (int round = 0; round < 200; ++round) {
            const int n = 1 + int(rng() % 60);
            QStringList ids;
            for (int i = 0; i < n; ++i)
                ids << QStringLiteral("r%1").arg(i);
            QHash<QString, QString> parentOf;
            for (int i = 0; i < n; ++i) {
                const unsigned roll = rng() % 10;
                if (roll < 5 && i > 0)
                    parentOf.insert(ids[i], ids[int(rng() % unsigned(i))]); // a forest
                else if (roll == 5)
                    parentOf.insert(ids[i], QStringLiteral("hidden%1").arg(rng() % 3)); // not among the runs
                else if (roll == 6)
                    parentOf.insert(ids[i], ids[int(rng() % unsigned(n))]); // anything: cycles too
            }
            QStringList ordered = ids;
            std::shuffle(ordered.begin(), ordered.end(), rng);
            const RunTree t = arrangeRunTree(ordered, parentOf);

            QCOMPARE(t.size(), n);
            QStringList sorted = t.ids;
            sorted.sort();
            QStringList expected = ids;
            expected.sort();
            QCOMPARE(sorted, expected); // every run exactly once
            int topLevel = 0;
            for (int k = 0; k < n; ++k) {
                const int p = t.parent[k];
                if (p < 0) {
                    QCOMPARE(t.roots.value(topLevel), k);
                    QCOMPARE(t.rowInParent[k], topLevel++);
                    continue;
                }
                QVERIFY(p < k);                                     // parents first
                QCOMPARE(parentOf.value(t.ids[k]), t.ids[p]);       // only real parent links
                QCOMPARE(t.child(p, t.rowInParent[k]), k);
                QCOMPARE(topLevel, int(t.roots.size())); // every top-level run comes first
                // Siblings are one block: the previous sibling sits right before.
                if (t.rowInParent[k] > 0)
                    QCOMPARE(t.child(p, t.rowInParent[k] - 1), k - 1);
            }
            QCOMPARE(topLevel, int(t.roots.size()));
            // Siblings (and the top-level runs) stand in the query's order of the first run of
            // their subtrees.
            std::function<int(int)> best = [&](int k) {
                int b = int(ordered.indexOf(t.ids[k]));
                for (int r = 0; r < t.childCount(k); ++r)
                    b = std::min(b, best(t.child(k, r)));
                return b;
            };
            for (int r = 1; r < t.roots.size(); ++r)
                QVERIFY(best(t.roots[r - 1]) < best(t.roots[r]));
            for (int k = 0; k < n; ++k)
                for (int r = 1; r < t.childCount(k); ++r)
                    QVERIFY(best(t.child(k, r - 1)) < best(t.child(k, r)));
            // A run whose parent is present and not in a cycle is under it.
            for (int k = 0; k < n; ++k) {
                const QString parent = parentOf.value(t.ids[k]);
                if (parent.isEmpty() || !ids.contains(parent) || parent == t.ids[k])
                    QCOMPARE(t.parent[k], -1);
                bool inCycle = false;
                QString a = parent;
                for (int steps = 0; steps <= n && !a.isEmpty() && ids.contains(a); ++steps) {
                    if (a == t.ids[k]) {
                        inCycle = true;
                        break;
                    }
                    a = parentOf.value(a);
                }
                if (!parent.isEmpty() && ids.contains(parent) && !inCycle)
                    QCOMPARE(t.ids.value(t.parent[k]), parent); // only a tag inside a cycle is ignored
            }
        }
    }

    void parentRunIdsReadsTheTagsOfTheExperiments()
    {
        QTemporaryDir dir;
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(dir.filePath(QStringLiteral("t.db")), o);
        QVERIFY2(db, qPrintable(db.status().message()));
        TrackingStore store(**db);
        const QString e1 = *store.createExperiment(QStringLiteral("one"));
        const QString e2 = *store.createExperiment(QStringLiteral("two"));
        const QString parent = store.createRun(e1, QStringLiteral("pipeline"))->runId;
        const QString child = store.createRun(e1, QStringLiteral("stage"))->runId;
        const QString elsewhere = store.createRun(e2, QStringLiteral("trial"))->runId;
        QVERIFY(store.setTag(child, {QStringLiteral("mlflow.parentRunId"), parent}).isOk());
        QVERIFY(store.setTag(elsewhere, {QStringLiteral("mlflow.parentRunId"), parent}).isOk());
        QVERIFY(store.setTag(parent, {QStringLiteral("mlflow.runName"), QStringLiteral("pipeline")}).isOk());

        auto one = parentRunIds(**db, {e1});
        QVERIFY2(one, qPrintable(one.status().message()));
        QCOMPARE(*one, (QHash<QString, QString>{{child, parent}}));
        auto all = parentRunIds(**db, {});
        QVERIFY(all);
        QCOMPARE(all->size(), 2);
        QCOMPARE(all->value(elsewhere), parent);
    }
};

QTEST_GUILESS_MAIN(TstRunTree)
#include "tst_run_tree.moc"
