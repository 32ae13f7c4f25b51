#pragma once
// DataDetailPanel: the lower half of the Data area — what the selected version(s) hold. One
// version of a CSV: its statistics; of a directory: its files, and the statistics of a CSV among
// them. Two versions: the diff, side by side (columns for a CSV, files for a directory).
//
// Everything slow runs on jobs: profiles through the ProfileStore (cached per content md5, so a
// second look is instant), file listings of directories on a job of their own. The header shows
// the job's progress with a Cancel button (JobProgressHeader). Each request gets a number; a result that arrives
// after a newer request is dropped, and the older job is cancelled when the newer one starts, so
// a slow profile can never overwrite what the user selected after it.
//
// Threads: GUI thread only.

#include "core/common/status.h"
#include "ui/data/data_types.h"

#include <QWidget>

#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace orrery::common {
class Job;
class JobContext;
class JobTracker;
}

namespace orrery::ui {

class DirectoryDiffView;
class DirectoryView;
class JobProgressHeader;
class ProfileStore;
class TableDiffView;
class TableStatsView;

class DataDetailPanel : public QWidget {
    Q_OBJECT
public:
    explicit DataDetailPanel(common::JobTracker *tracker, QWidget *parent = nullptr);
    ~DataDetailPanel() override;

    void setWorkspaceRoot(const QString &root);
    // A line in place of any content ("Select a version…"); cancels what runs.
    void showPlaceholder(const QString &text);
    void showVersion(const DatasetEntry &dataset, const DataVersion &version);
    // `older` and `newer` as the version list orders them (the diff reads older → newer).
    void showComparison(const DatasetEntry &dataset, const DataVersion &older, const DataVersion &newer);
    void cancel();

    bool isBusy() const;
    ProfileStore *profileStore() const { return m_store; }
    QWidget *currentPage() const;
    TableStatsView *statsView() const { return m_stats; }
    TableDiffView *diffView() const { return m_diff; }
    DirectoryView *directoryView() const { return m_directory; }
    DirectoryDiffView *directoryDiffView() const { return m_directoryDiff; }
    QString titleText() const;
    QString messageText() const;
    QPushButton *cancelButton() const;
    QPushButton *retryButton() const { return m_retry; }
    QProgressBar *progressBar() const;

Q_SIGNALS:
    void busyChanged(bool busy);

private:
    quint64 beginRequest(const QString &title, std::function<void()> retry);
    void showMessage(const QString &text, bool offerRetry = false);
    void showFailure(const Status &status);
    bool isCurrent(quint64 request) const { return request == m_request; }
    void profileVersion(quint64 request, const DataVersion &version);
    void compareTables(quint64 request, const ContentFile &before, const ContentFile &after, bool insideDirectory);
    // Runs `work` on a worker thread as the job of `request`, tracked by the header: a failure is
    // shown in place of the page; `show` runs on this thread when it succeeded and `request` is
    // still the current one (a newer selection discards older results).
    void runRequestJob(quint64 request, const QString &title, std::function<Status(common::JobContext &)> work,
                       std::function<void()> show);
    void listDirectory(quint64 request, const DataVersion &version);
    void compareDirectories(quint64 request, const DataVersion &older, const DataVersion &newer);
    void onDirectoryFileSelected(int row);
    void onDirectoryChangeSelected(int row);
    QString versionLabel(const DataVersion &version) const;
    QString notAvailableText(const DataVersion &version) const;

    common::JobTracker *m_tracker;
    ProfileStore *m_store;
    QString m_root;
    quint64 m_request = 0;
    std::function<void()> m_retryAction;
    DatasetEntry m_dataset;
    DataVersion m_version, m_older;

    JobProgressHeader *m_header;
    QStackedWidget *m_pages;
    QWidget *m_messagePage;
    QLabel *m_message;
    QPushButton *m_retry;
    TableStatsView *m_stats;
    TableDiffView *m_diff;
    DirectoryView *m_directory;
    DirectoryDiffView *m_directoryDiff;
};

} // namespace orrery::ui
