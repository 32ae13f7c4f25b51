// The Data area's parts alone: the item-model adapters (datasets, versions, column statistics,
// column diff, files, file changes) with their rows and data roles, the delegates' geometry and
// colours, the figure formats, the profile store (computed once per content, cancel) and the
// detail panel's request handling (a stale result is dropped, cancel offers a retry).

#include "core/common/job.h"
#include "core/data/dataset_profile.h"
#include "ui/common/stat_format.h"
#include "ui/data/change_highlight_delegate.h"
#include "ui/data/column_diff_model.h"
#include "ui/data/column_stats_model.h"
#include "ui/data/data_detail_panel.h"
#include "ui/data/data_worker.h"
#include "ui/data/dataset_list_model.h"
#include "ui/data/file_change_model.h"
#include "ui/data/file_list_model.h"
#include "ui/data/histogram_delegate.h"
#include "ui/data/profile_store.h"
#include "ui/data/table_stats_view.h"
#include "ui/data/version_list_model.h"

#include <QDir>
#include <QFile>
#include <QFont>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <numeric>

using namespace orrery;
using namespace orrery::ui;

namespace {
constexpr int kTimeoutMs = 20000;

QString writeCsv(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        return {};
    return path;
}

ProfilePtr profile(const QString &path)
{
    auto p = data::profileCsv(path, data::ProfileOptions{});
    if (!p)
        qWarning() << p.status().toString();
    return p ? std::make_shared<const data::DatasetProfile>(std::move(*p)) : nullptr;
}

DatasetEntry entry(const QString &path, data::OutState state, bool inCache = true)
{
    DatasetEntry e;
    e.path = path;
    e.dvcFile = path + QStringLiteral(".dvc");
    e.md5 = QStringLiteral("0123456789abcdef0123456789abcdef");
    e.headMd5 = e.md5;
    e.size = 2048;
    e.state = state;
    e.inCache = inCache;
    return e;
}
} // namespace

class TstDataModels : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_before, m_after;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // After: one more row, amount changes, `note` is gone, `score` is new, `flag` turns text.
        m_before = writeCsv(m_dir, QStringLiteral("before.csv"),
                            "id,amount,city,note,flag\n1,10,Paris,a,1\n2,20,Lyon,,0\n3,30,Paris,c,1\n");
        m_after = writeCsv(m_dir, QStringLiteral("after.csv"),
                           "id,amount,city,score,flag\n1,10,Paris,0.5,hi\n2,20,Lyon,0.25,lo\n3,36,Paris,1,hi\n4,50,Nice,2,lo\n");
        QVERIFY(!m_before.isEmpty() && !m_after.isEmpty());
    }

    void formatsFigures()
    {
        QCOMPARE(statformat::number(46.04), QStringLiteral("46.04"));
        QCOMPARE(statformat::number(20.25), QStringLiteral("20.25"));
        QCOMPARE(statformat::number(0.0123), QStringLiteral("0.0123"));
        QCOMPARE(statformat::number(2.0), QStringLiteral("2"));
        QCOMPARE(statformat::number(std::nan("")), QString());
        QVERIFY(statformat::number(1.5e9).contains(QLatin1Char('e')));
        QCOMPARE(statformat::percent(0.0), QStringLiteral("0 %"));
        QCOMPARE(statformat::percent(0.025), QStringLiteral("2.5 %"));
        QCOMPARE(statformat::percent(0.5), QStringLiteral("50 %"));
        QCOMPARE(statformat::percent(0.0001), QStringLiteral("<0.1 %"));
        QCOMPARE(statformat::signedCount(1), QStringLiteral("+1"));
        QCOMPARE(statformat::signedCount(0), QStringLiteral("±0"));
        QCOMPARE(statformat::bytes(-1), QString());
    }

    void datasetModelShowsStatusAndUpdatesInPlace()
    {
        DatasetListModel model;
        DatasetEntry dir = entry(QStringLiteral("data/images"), data::OutState::Unchanged);
        dir.isDirectory = true;
        dir.nfiles = 1200;
        model.setEntries({dir, entry(QStringLiteral("data/t.csv"), data::OutState::Modified),
                          entry(QStringLiteral("data/gone.csv"), data::OutState::Missing, false)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(DatasetListModel::ColumnCount));
        QCOMPARE(model.headerData(DatasetListModel::StatusColumn, Qt::Horizontal).toString(), QStringLiteral("Status"));
        QCOMPARE(model.index(0, DatasetListModel::PathColumn).data().toString(), QStringLiteral("data/images"));
        QCOMPARE(model.index(0, DatasetListModel::SizeColumn).data().toString(), QStringLiteral("2.0 KiB"));
        QCOMPARE(model.index(0, DatasetListModel::FilesColumn).data().toString().remove(QLatin1Char(',')), QStringLiteral("1200"));
        QCOMPARE(model.index(1, DatasetListModel::FilesColumn).data().toString(), QString()); // a file has no count
        QCOMPARE(model.index(0, DatasetListModel::StatusColumn).data().toString(), QStringLiteral("unchanged"));
        QCOMPARE(model.index(1, DatasetListModel::StatusColumn).data().toString(), QStringLiteral("modified"));
        QCOMPARE(model.index(2, DatasetListModel::StatusColumn).data().toString(), QStringLiteral("missing · not in cache"));
        QCOMPARE(model.index(2, 0).data(DatasetListModel::StateRole).toInt(), int(data::OutState::Missing));
        QCOMPARE(model.index(2, 0).data(DatasetListModel::InCacheRole).toBool(), false);
        QCOMPARE(model.index(1, DatasetListModel::SizeColumn).data(DatasetListModel::PathRole).toString(), QStringLiteral("data/t.csv"));
        // What needs attention is bold, and its tooltip names the command that fixes it.
        QVERIFY(model.index(1, DatasetListModel::StatusColumn).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!model.index(0, DatasetListModel::StatusColumn).data(Qt::FontRole).isValid());
        QVERIFY(model.index(1, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("orrery-cli data add data/t.csv")));
        QVERIFY(model.index(2, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("orrery-cli data checkout data/gone.csv")));
        QVERIFY(model.index(2, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("data pull")));
        QCOMPARE(model.findPath(QStringLiteral("data/t.csv")), 1);
        QCOMPARE(model.findPath(QStringLiteral("nope")), -1);

        // A poll with the same datasets changes rows in place: no reset, one dataChanged.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        model.setEntries({dir, entry(QStringLiteral("data/t.csv"), data::OutState::Unchanged),
                          entry(QStringLiteral("data/gone.csv"), data::OutState::Missing, false)});
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changes.count(), 1);
        QCOMPARE(changes.first().at(0).toModelIndex().row(), 1);
        QCOMPARE(model.index(1, DatasetListModel::StatusColumn).data().toString(), QStringLiteral("unchanged"));
        // A dataset added is a reset.
        model.setEntries({dir});
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.rowCount(), 1);
    }

    void versionModelMarksVersionsNotInCache()
    {
        DataVersion workspace;
        workspace.revision = QStringLiteral("workspace");
        workspace.md5 = QStringLiteral("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        workspace.contentPath = m_after;
        workspace.onDisk = true;
        workspace.summary = QStringLiteral("Changed on disk since the last data add");
        DataVersion cached;
        cached.revision = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
        cached.time = QDateTime(QDate(2024, 5, 1), QTime(12, 30), Qt::UTC);
        cached.author = QStringLiteral("Ada");
        cached.summary = QStringLiteral("v2");
        cached.md5 = QStringLiteral("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        cached.inCache = true;
        cached.contentPath = m_before;
        DataVersion missing = cached;
        missing.revision = QStringLiteral("fedcba9876543210fedcba9876543210fedcba98");
        missing.summary = QStringLiteral("v1");
        missing.inCache = false;
        missing.contentPath.clear();

        VersionListModel model;
        model.setVersions(QStringLiteral("data/t.csv"), {workspace, cached, missing});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(VersionListModel::ColumnCount));
        QCOMPARE(model.datasetPath(), QStringLiteral("data/t.csv"));
        QCOMPARE(model.index(0, VersionListModel::VersionColumn).data().toString(), QStringLiteral("workspace"));
        QCOMPARE(model.index(1, VersionListModel::VersionColumn).data().toString(), QStringLiteral("0123456"));
        QCOMPARE(model.index(1, VersionListModel::AuthorColumn).data().toString(), QStringLiteral("Ada"));
        QCOMPARE(model.index(1, VersionListModel::SummaryColumn).data().toString(), QStringLiteral("v2"));
        QVERIFY(model.index(1, VersionListModel::DateColumn).data().toString().startsWith(QStringLiteral("2024-05-0")));
        QVERIFY(model.index(1, VersionListModel::HashColumn).data().toString().startsWith(QStringLiteral("bbbbbbbbbb")));
        QCOMPARE(model.index(2, VersionListModel::HashColumn).data().toString(), QStringLiteral("not in cache — pull it"));
        QVERIFY(!model.index(2, VersionListModel::HashColumn).data(Qt::DecorationRole).isNull());
        QCOMPARE(model.index(2, 0).data(VersionListModel::AvailableRole).toBool(), false);
        QCOMPARE(model.index(1, 0).data(VersionListModel::AvailableRole).toBool(), true);
        QCOMPARE(model.index(1, 0).data(VersionListModel::RevisionRole).toString(), cached.revision);
        QCOMPARE(model.index(0, 0).data(VersionListModel::Md5Role).toString(), workspace.md5);
        QVERIFY(model.index(2, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("data pull")));
        QCOMPARE(model.findRevision(QStringLiteral("workspace")), 0);
        QCOMPARE(model.findRevision(missing.revision), 2);
    }

    void statsModelHasAFigureForEachColumn()
    {
        ProfilePtr p = profile(m_after);
        QVERIFY(p);
        ColumnStatsModel model;
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setProfile(p);
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.columnCount(), int(ColumnStatsModel::ColumnCount));
        QCOMPARE(model.headerData(ColumnStatsModel::MeanColumn, Qt::Horizontal).toString(), QStringLiteral("Mean"));
        const int amount = model.findColumn(QStringLiteral("amount"));
        QCOMPARE(amount, 1);
        QCOMPARE(model.index(amount, ColumnStatsModel::NameColumn).data().toString(), QStringLiteral("amount"));
        QCOMPARE(model.index(amount, ColumnStatsModel::TypeColumn).data().toString(), QStringLiteral("int"));
        QCOMPARE(model.index(amount, ColumnStatsModel::CountColumn).data(ColumnStatsModel::ValueRole).toLongLong(), 4);
        QCOMPARE(model.index(amount, ColumnStatsModel::MeanColumn).data(ColumnStatsModel::ValueRole).toDouble(), 29.0);
        QCOMPARE(model.index(amount, ColumnStatsModel::MeanColumn).data().toString(), QStringLiteral("29"));
        QCOMPARE(model.index(amount, ColumnStatsModel::MinColumn).data().toString(), QStringLiteral("10"));
        QCOMPARE(model.index(amount, ColumnStatsModel::MaxColumn).data().toString(), QStringLiteral("50"));
        QCOMPARE(model.index(amount, ColumnStatsModel::MedianColumn).data(ColumnStatsModel::ValueRole).toDouble(), 28.0);
        QCOMPARE(model.index(amount, ColumnStatsModel::NullsColumn).data().toString(), QStringLiteral("0 %"));
        QCOMPARE(model.index(amount, ColumnStatsModel::DistinctColumn).data().toString(), QStringLiteral("4"));
        QVERIFY(model.index(amount, ColumnStatsModel::MeanColumn).data(Qt::TextAlignmentRole).toInt() & Qt::AlignRight);
        const QList<double> bars = model.index(amount, ColumnStatsModel::HistogramColumn).data(ColumnStatsModel::HistogramRole).value<QList<double>>();
        QVERIFY(!bars.isEmpty());
        QCOMPARE(std::accumulate(bars.begin(), bars.end(), 0.0), 4.0);
        QVERIFY(model.index(amount, ColumnStatsModel::HistogramColumn).data(Qt::ToolTipRole).toString().contains(QStringLiteral("p50")));

        const int city = model.findColumn(QStringLiteral("city"));
        QCOMPARE(model.index(city, ColumnStatsModel::MeanColumn).data().toString(), QString()); // text has no mean
        QVERIFY(model.index(city, ColumnStatsModel::MeanColumn).data(ColumnStatsModel::ValueRole).isNull());
        QVERIFY(model.index(city, ColumnStatsModel::TopColumn).data().toString().startsWith(QStringLiteral("Paris (2)")));
        QCOMPARE(model.index(model.findColumn(QStringLiteral("id")), ColumnStatsModel::TopColumn).data().toString(), QStringLiteral("all distinct"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void statsModelShowsNullsAsAShare()
    {
        ProfilePtr p = profile(m_before);
        ColumnStatsModel model;
        model.setProfile(p);
        const int note = model.findColumn(QStringLiteral("note"));
        QCOMPARE(model.index(note, ColumnStatsModel::NullsColumn).data().toString(), QStringLiteral("33 %"));
        QCOMPARE(model.index(note, ColumnStatsModel::CountColumn).data().toString(), QStringLiteral("2"));
    }

    void diffModelPairsFiguresAndMarksChanges()
    {
        ColumnDiffModel model;
        QVERIFY(!model.hasDiff());
        model.setProfiles(profile(m_before), profile(m_after));
        QVERIFY(model.hasDiff());
        QCOMPARE(model.diff().rowsBefore, 3);
        QCOMPARE(model.diff().rowsAfter, 4);
        QCOMPARE(model.rowCount(), 6); // 5 of the newer version, then the removed one
        QCOMPARE(model.columnCount(), int(ColumnDiffModel::ColumnCount));
        const auto kind = [&](const QString &name) { return model.index(model.findColumn(name), ColumnDiffModel::ChangeColumn).data().toString(); };
        QCOMPARE(kind(QStringLiteral("amount")), QStringLiteral("changed"));
        QCOMPARE(kind(QStringLiteral("score")), QStringLiteral("added"));
        QCOMPARE(kind(QStringLiteral("note")), QStringLiteral("removed"));
        QCOMPARE(kind(QStringLiteral("flag")), QStringLiteral("retyped"));
        QCOMPARE(model.findColumn(QStringLiteral("note")), 5);

        const int amount = model.findColumn(QStringLiteral("amount"));
        QCOMPARE(model.index(amount, ColumnDiffModel::MeanBefore).data().toString(), QStringLiteral("20"));
        QCOMPARE(model.index(amount, ColumnDiffModel::MeanAfter).data().toString(), QStringLiteral("29"));
        QCOMPARE(model.index(amount, ColumnDiffModel::MeanAfter).data(ColumnDiffModel::ValueRole).toDouble(), 29.0);
        for (int c : {ColumnDiffModel::MeanBefore, ColumnDiffModel::MeanAfter, ColumnDiffModel::StdBefore, ColumnDiffModel::StdAfter,
                      ColumnDiffModel::DistinctBefore, ColumnDiffModel::DistinctAfter})
            QVERIFY2(model.index(amount, c).data(ColumnDiffModel::ChangedRole).toBool(), qPrintable(QString::number(c)));
        QVERIFY(!model.index(amount, ColumnDiffModel::NullsBefore).data(ColumnDiffModel::ChangedRole).toBool());
        QVERIFY(!model.index(amount, ColumnDiffModel::NullsAfter).data(ColumnDiffModel::ChangedRole).toBool());
        // "changed" is bold, not highlighted; the changed figure after is bold too.
        QVERIFY(!model.index(amount, ColumnDiffModel::ChangeColumn).data(ColumnDiffModel::ChangedRole).toBool());
        QVERIFY(model.index(amount, ColumnDiffModel::ChangeColumn).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(model.index(amount, ColumnDiffModel::MeanAfter).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model.index(amount, 0).data(ColumnDiffModel::KindRole).toInt(), int(data::ColumnChange::Changed));

        // Structural changes light up; an added column has figures only after, a removed one before.
        const int score = model.findColumn(QStringLiteral("score"));
        QVERIFY(model.index(score, ColumnDiffModel::ChangeColumn).data(ColumnDiffModel::ChangedRole).toBool());
        QCOMPARE(model.index(score, ColumnDiffModel::MeanBefore).data().toString(), QString());
        QVERIFY(model.index(score, ColumnDiffModel::MeanAfter).data(ColumnDiffModel::ChangedRole).toBool());
        const int note = model.findColumn(QStringLiteral("note"));
        QVERIFY(model.index(note, ColumnDiffModel::NullsBefore).data(ColumnDiffModel::ChangedRole).toBool());
        QCOMPARE(model.index(note, ColumnDiffModel::NullsAfter).data().toString(), QString());
        const int flag = model.findColumn(QStringLiteral("flag"));
        QCOMPARE(model.index(flag, ColumnDiffModel::TypeColumn).data().toString(), QStringLiteral("int → category"));
        QVERIFY(model.index(flag, ColumnDiffModel::TypeColumn).data(ColumnDiffModel::ChangedRole).toBool());

        // What changed, in words, per column — not just "changed".
        const auto what = [&](const QString &name) { return model.index(model.findColumn(name), ColumnDiffModel::WhatColumn).data().toString(); };
        QVERIFY2(what(QStringLiteral("amount")).contains(QStringLiteral("mean 20 → 29")), qPrintable(what(QStringLiteral("amount"))));
        QVERIFY2(what(QStringLiteral("amount")).contains(QStringLiteral("max 30 → 50")), qPrintable(what(QStringLiteral("amount"))));
        QVERIFY2(!what(QStringLiteral("amount")).contains(QStringLiteral("min ")), qPrintable(what(QStringLiteral("amount")))); // 10 both times
        QCOMPARE(what(QStringLiteral("city")), QStringLiteral("distinct 2 → 3")); // too few rows to be a category
        QCOMPARE(what(QStringLiteral("flag")), QStringLiteral("type int → category"));
        QCOMPARE(model.headerData(ColumnDiffModel::WhatColumn, Qt::Horizontal).toString(), QStringLiteral("What changed"));

        // A category column: a new value and a shifted mix are named; a column whose figures
        // stayed the same after rows were appended says so.
        QByteArray before = "channel,one\n", after = "channel,one\n";
        for (int i = 0; i < 40; ++i) {
            before += (i % 4 == 0 ? "online,1\n" : "pos,1\n");
            after += (i % 4 == 0 ? "online,1\n" : "pos,1\n");
        }
        for (int i = 0; i < 20; ++i)
            after += (i % 2 == 0 ? "atm,1\n" : "online,1\n");
        ColumnDiffModel mix;
        mix.setProfiles(profile(writeCsv(m_dir, QStringLiteral("mix-before.csv"), before)), profile(writeCsv(m_dir, QStringLiteral("mix-after.csv"), after)));
        const QString channel = mix.index(mix.findColumn(QStringLiteral("channel")), ColumnDiffModel::WhatColumn).data().toString();
        QVERIFY2(channel.contains(QStringLiteral("new values: atm")), qPrintable(channel));
        QVERIFY2(channel.contains(QStringLiteral("share of pos 75.0% → 50.0%")), qPrintable(channel));
        QCOMPARE(mix.index(mix.findColumn(QStringLiteral("one")), ColumnDiffModel::WhatColumn).data().toString(), QStringLiteral("same figures, more rows"));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void fileModelsAndTheirComparison()
    {
        const QVector<ContentFile> before{{QStringLiteral("a.csv"), QStringLiteral("1"), 10, QStringLiteral("/c/1")},
                                          {QStringLiteral("b.txt"), QStringLiteral("2"), 20, QStringLiteral("/c/2")},
                                          {QStringLiteral("old.csv"), QStringLiteral("3"), 30, QString()}};
        const QVector<ContentFile> after{{QStringLiteral("a.csv"), QStringLiteral("9"), 12, QStringLiteral("/c/9")},
                                         {QStringLiteral("b.txt"), QStringLiteral("2"), 20, QStringLiteral("/c/2")},
                                         {QStringLiteral("new.csv"), QStringLiteral("4"), 40, QStringLiteral("/c/4")}};
        FileListModel files;
        files.setFiles(before);
        QCOMPARE(files.rowCount(), 3);
        QCOMPARE(files.index(0, FileListModel::PathColumn).data().toString(), QStringLiteral("a.csv"));
        QCOMPARE(files.index(1, FileListModel::SizeColumn).data().toString(), QStringLiteral("20 bytes"));
        QCOMPARE(files.index(2, FileListModel::HashColumn).data().toString(), QStringLiteral("not in cache — pull it"));
        QCOMPARE(files.index(0, 0).data(FileListModel::ContentPathRole).toString(), QStringLiteral("/c/1"));
        QCOMPARE(files.findPath(QStringLiteral("b.txt")), 1);

        const QVector<FileChange> changes = dataworker::compareFiles(before, after);
        QCOMPARE(changes.size(), 3);
        QCOMPARE(changes[0].relpath, QStringLiteral("a.csv"));
        QCOMPARE(changes[0].kind, FileChange::Modified);
        QCOMPARE(changes[1].relpath, QStringLiteral("new.csv"));
        QCOMPARE(changes[1].kind, FileChange::Added);
        QCOMPARE(changes[2].relpath, QStringLiteral("old.csv"));
        QCOMPARE(changes[2].kind, FileChange::Removed);

        FileChangeModel model;
        model.setChanges(changes);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.count(FileChange::Added), 1);
        QCOMPARE(model.index(0, FileChangeModel::ChangeColumn).data().toString(), QStringLiteral("modified"));
        QCOMPARE(model.index(0, FileChangeModel::SizeBefore).data().toString(), QStringLiteral("10 bytes"));
        QCOMPARE(model.index(0, FileChangeModel::SizeAfter).data().toString(), QStringLiteral("12 bytes"));
        QVERIFY(model.index(0, FileChangeModel::SizeAfter).data(FileChangeModel::ChangedRole).toBool());
        QCOMPARE(model.index(1, FileChangeModel::SizeBefore).data().toString(), QString());
        QCOMPARE(model.index(2, 0).data(FileChangeModel::KindRole).toInt(), int(FileChange::Removed));
    }

    void histogramBarsFillTheCell()
    {
        const QVector<QRectF> bars = HistogramDelegate::barRects({1, 0, 4, 2}, QRectF(0, 0, 40, 20));
        QCOMPARE(bars.size(), 3); // an empty bin draws nothing
        QCOMPARE(bars[1].height(), 20.0); // the tallest bin fills the height
        QCOMPARE(bars[1].bottom(), 20.0);
        QCOMPARE(bars[0].height(), 5.0);
        QCOMPARE(bars[0].left(), 0.0);
        QCOMPARE(bars[1].left(), 20.0);
        QCOMPARE(bars[0].width(), 9.0); // a one-pixel gap between bars this wide
        QVERIFY(HistogramDelegate::barRects({}, QRectF(0, 0, 40, 20)).isEmpty());
        QVERIFY(HistogramDelegate::barRects({0, 0}, QRectF(0, 0, 40, 20)).isEmpty());
        // A bin a hundred-thousandth of the tallest still shows.
        QVERIFY(HistogramDelegate::barRects({1, 100000}, QRectF(0, 0, 40, 20))[0].height() >= 1.0);
    }

    void highlightIsDerivedFromThePalette()
    {
        QPalette light;
        light.setColor(QPalette::Base, Qt::white);
        light.setColor(QPalette::Highlight, QColor(0x30, 0x8c, 0xc6));
        const QColor l = ChangeHighlightDelegate::highlightColor(light);
        QVERIFY(qGray(l.rgb()) > 180); // pale, under dark text
        QVERIFY(l.blue() > l.red());  // and tinted by the highlight
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(0x2b, 0x2e, 0x33));
        dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
        const QColor d = ChangeHighlightDelegate::highlightColor(dark);
        QVERIFY(qGray(d.rgb()) < 100); // dark, under light text
        QVERIFY(d != dark.color(QPalette::Base));
    }

    void profileStoreComputesOncePerContent()
    {
        ProfileStore store(nullptr);
        QObject context;
        int calls = 0;
        Status result = internalError(QStringLiteral("not called"));
        const ProfileSource source{QStringLiteral("key-after"), m_after, QStringLiteral("after.csv"), false};
        common::Job *job = store.fetch({source, source}, QStringLiteral("profile"), &context, [&](const Status &s) {
            ++calls;
            result = s;
        });
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, kTimeoutMs);
        QVERIFY2(result.isOk(), qPrintable(result.toString()));
        QCOMPARE(store.size(), 1);
        QCOMPARE(store.computedCount(), 1);
        QCOMPARE(store.cached(QStringLiteral("key-after"))->rows, 4);
        QCOMPARE(store.cached(QStringLiteral("key-after"))->path, QStringLiteral("after.csv"));
        // Cached: no job, and `done` is not called.
        QVERIFY(!store.fetch({source}, QStringLiteral("again"), &context, [&](const Status &) { ++calls; }));
        QTest::qWait(20);
        QCOMPARE(calls, 1);
        QCOMPARE(store.computedCount(), 1);
    }

    void profileStoreEvictsTheOldest()
    {
        ProfileStore store(nullptr);
        QObject context;
        QVector<ProfileSource> sources;
        for (int i = 0; i < ProfileStore::kCapacity + 2; ++i)
            sources.append({QStringLiteral("k%1").arg(i), m_before, QStringLiteral("b"), false});
        bool done = false;
        QVERIFY(store.fetch(sources, QStringLiteral("many"), &context, [&](const Status &) { done = true; }));
        QTRY_VERIFY_WITH_TIMEOUT(done, kTimeoutMs);
        QCOMPARE(store.size(), ProfileStore::kCapacity);
        QVERIFY(!store.contains(QStringLiteral("k0")));
        QVERIFY(store.contains(QStringLiteral("k%1").arg(ProfileStore::kCapacity + 1)));
    }

    void panelDropsAStaleResultAndCancels()
    {
        // A file big enough that its profile is still running when the next request comes.
        QByteArray big = "id,value\n";
        for (int i = 0; i < 600000; ++i)
            big += QByteArray::number(i) + ',' + QByteArray::number(i % 977) + ".5\n";
        const QString bigPath = writeCsv(m_dir, QStringLiteral("big.csv"), big);
        QVERIFY(!bigPath.isEmpty());

        DataDetailPanel panel(nullptr);
        panel.resize(900, 500);
        panel.show();
        DatasetEntry dataset = entry(QStringLiteral("data/t.csv"), data::OutState::Unchanged);
        DataVersion slow;
        slow.revision = QStringLiteral("1111111111111111111111111111111111111111");
        slow.md5 = QStringLiteral("big");
        slow.contentPath = bigPath;
        DataVersion quick = slow;
        quick.revision = QStringLiteral("2222222222222222222222222222222222222222");
        quick.md5 = QStringLiteral("after");
        quick.contentPath = m_after;

        // The slow one is asked for first, the quick one after: the quick one wins, always.
        panel.showVersion(dataset, slow);
        QVERIFY(panel.isBusy());
        QVERIFY(panel.cancelButton()->isVisibleTo(&panel));
        QVERIFY(panel.messageText().contains(QStringLiteral("Computing")));
        QDir().mkpath(QStringLiteral(ORRERY_BINARY_DIR "/screenshots"));
        QCoreApplication::processEvents(); // lay out the new message before the picture
        panel.grab().save(QStringLiteral(ORRERY_BINARY_DIR "/screenshots/data_busy.png"));
        auto *message = panel.findChild<QLabel *>(QStringLiteral("detailMessage"));
        QVERIFY(message);
        // Wrapped at a real width: a word-wrapped label can end up showing only its first words.
        QVERIFY2(message->width() >= message->fontMetrics().horizontalAdvance(QStringLiteral("Computing the statistics of")),
                 qPrintable(QString::number(message->width())));
        panel.showVersion(dataset, quick);
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy(), kTimeoutMs);
        QCOMPARE(panel.currentPage(), panel.statsView());
        QCOMPARE(panel.statsView()->model()->profile()->rows, qint64(4));
        QTest::qWait(200); // the slow job's end, if it were to be shown, would arrive now
        QCOMPARE(panel.statsView()->model()->profile()->rows, qint64(4));
        QVERIFY(!panel.profileStore()->contains(QStringLiteral("big"))); // cancelled, not stored

        // Cancel: the panel says so and offers to compute again, which then works.
        panel.showVersion(dataset, slow);
        QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel.messageText().contains(QStringLiteral("Cancelled")), kTimeoutMs);
        QVERIFY(!panel.isBusy());
        QVERIFY(panel.retryButton()->isVisible());
        QTest::mouseClick(panel.retryButton(), Qt::LeftButton);
        QVERIFY(panel.isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(panel.currentPage() == panel.statsView(), kTimeoutMs);
        QCOMPARE(panel.statsView()->model()->profile()->rows, qint64(600000));

        // A version that is nowhere to be read says how to get it.
        DataVersion gone = slow;
        gone.md5 = QStringLiteral("gone");
        gone.contentPath.clear();
        panel.showVersion(dataset, gone);
        QVERIFY(!panel.isBusy());
        QVERIFY2(panel.messageText().contains(QStringLiteral("not in the cache")), qPrintable(panel.messageText()));
        QVERIFY(panel.messageText().contains(QStringLiteral("<code>orrery-cli data pull data/t.csv</code>")));
        QCoreApplication::processEvents();
        QVERIFY(message->height() >= 2 * message->fontMetrics().height()); // both lines show
    }
};

QTEST_MAIN(TstDataModels)
#include "tst_data_models.moc"
