#pragma once
// PipelineEditor: the Pipeline area — palette, canvas, property editor, run panel and the
// actions over them (save, undo/redo, delete, copy/paste, lay out, fit, zoom, run all / run
// selected / cancel). It is the controller: the view and the property editor ask, the editor
// turns each request into an undo command on the PipelineDocument (macros for compound edits),
// and the scene follows the model.
//
// Runs: the document is saved first (the executor reads dvc.yaml from disk), then PipelineRunner
// runs it on a worker; stage reports arrive as queued signals and become node states. A running
// node shows its elapsed time and, when the stage prints its progress (epoch 3/10, a tqdm bar),
// the percentage it printed. A dvc.yaml
// changed on disk by someone else is reloaded, or — when there are unsaved edits — a banner asks.
//
// Saving: Save refuses while the property form shows a problem (the field's text is not in the
// document, so the file would get a value nobody sees) and names it. Before the window closes or
// switches workspace it calls mayClose(), the usual Save / Discard / Cancel question.
//
// Other areas' objects open through the Navigator the window hands it: the run panel's "Open run
// in Experiments" opens a stage's run (kind "run").
//
// The implementation is split by concern: the frame and selection in pipeline_editor.cpp, the
// toolbar in pipeline_editor_actions.cpp, the edit gestures in pipeline_editor_edits.cpp, the
// files on disk (watching, reloading) in pipeline_editor_disk.cpp, saving in
// pipeline_editor_save.cpp, running in pipeline_editor_run.cpp (with the cards' state from disk),
// panels, lay out and fitting in pipeline_editor_layout.cpp.

#include "core/pipeline/executor.h"
#include "core/pipeline/pipeline_model.h"

#include <QHash>
#include <QWidget>

class QAction;
class QElapsedTimer;
class QFileSystemWatcher;
class QFrame;
class QLabel;
class QSplitter;
class QTabWidget;
class QTimer;
class QToolBar;

namespace orrery::common {
class JobTracker;
}

namespace orrery::ui {

struct AreaInfo;
class EmptyState;
class Navigator;
class PipelineDocument;
class PipelineRunner;
class PipelineScene;
class PipelineView;
class StagePalette;
class StagePropertyEditor;
class StageRunPanel;
class StageStatusProbe;
struct StageDiskStatus;

class PipelineEditor : public QWidget {
    Q_OBJECT
public:
    explicit PipelineEditor(QWidget *parent = nullptr);
    // navigator: how the editor opens other areas' objects (may be null: it opens none).
    explicit PipelineEditor(Navigator *navigator, QWidget *parent = nullptr);
    ~PipelineEditor() override;

    // Opens root's pipeline (an empty one when it has no dvc.yaml); empty root closes it.
    void setWorkspaceRoot(const QString &root);
    void setCliDir(const QString &dir) { m_cliDir = dir; }
    // Runs become jobs of `tracker` (the Activity dock shows them, with Cancel).
    void setJobTracker(common::JobTracker *tracker);

    PipelineDocument *document() const { return m_doc; }
    PipelineScene *scene() const { return m_scene; }
    PipelineView *view() const { return m_view; }
    StagePalette *palette() const { return m_palette; }
    // Palette | canvas | properties. Its sizes and which panels show are the user's: kept when the
    // selection changes and remembered across restarts (QSettings "pipeline/…").
    QSplitter *splitter() const { return m_split; }
    StagePropertyEditor *propertyEditor() const { return m_props; }
    StageRunPanel *runPanel() const { return m_runPanel; }
    QAction *action(const QString &name) const; // "save", "undo", "runAll", …
    QString message() const;
    PipelineRunner *runner() const { return m_runner; }
    bool isRunning() const;
    bool isReloadAsked() const;

    // The edits, as the gestures and actions make them (public for tests and the menu).
    void addStageOfType(const QString &typeName, QPointF scenePos);
    bool connectPorts(pipeline::NodeId from, const QString &outPath, pipeline::NodeId to, const QString &inKey);
    void deleteSelected();
    void copySelected();
    void paste();
    void autoLayout();
    // Writes dvc.yaml, params.yaml and layout.json; false, with the reason in message(), when the
    // property form has a field with a problem or the files cannot be written.
    bool save();
    // Edits not on disk: the document's, or a field of the form that could not be applied.
    bool hasUnsavedEdits() const;
    // May the pipeline be closed (the window quits, another workspace opens)? With unsaved edits
    // it asks Save / Discard / Cancel in a modal box over `parent`, listing the edits as the Undo
    // button names them ("Change split.seed to 7"): true for Discard, and for Save
    // once saved; false for Cancel or a save that failed (message() says why). True at once when
    // there is nothing to lose.
    bool mayClose(QWidget *parent);
    void runAll();
    void runSelected();
    void cancelRun();
    void showPlacements(); // executors.yaml's placements onto the cards
    void checkDiskChange(); // what the file watcher calls
    void reloadFromDisk();

Q_SIGNALS:
    void runFinished(bool ok);

private:
    void createActions();
    void createReloadBanner(); // the "changed on disk" banner over the canvas
    void createPanels();       // palette | canvas | properties, in m_split
    void showMessage(const QString &text, bool error = false);
    void updateActions();
    void selectionChanged();
    void startRun(const QStringList &targets);
    void onStageReport(const pipeline::StageReport &report);
    void onStageProgress(const QString &stage, qint64 done, qint64 total, const QString &label);
    void onRunFinished(bool ok, const QString &error, bool cancelled);
    void tick();
    void showRunPanel();
    void watchFiles();
    void saveSplitter() const;
    void restoreSplitter();
    // Before an automatic fit: folds the editor's own layout into bands when the pipeline would
    // otherwise be fitted below a readable zoom.
    void foldToFit();
    // Asks the status probe for every stage's state on disk (dvc.lock, deps, params).
    void refreshDiskStatus();
    void onDiskStatuses(const QString &root, const QHash<QString, StageDiskStatus> &statuses);

    QString m_root;
    QString m_cliDir;
    PipelineDocument *m_doc;
    PipelineScene *m_scene;
    PipelineView *m_view;
    StagePalette *m_palette;
    StagePropertyEditor *m_props;
    StageRunPanel *m_runPanel;
    QTabWidget *m_side;
    QSplitter *m_split = nullptr;
    QWidget *m_sidePanel = nullptr; // the properties' column (the empty state or the tabs)
    EmptyState *m_empty = nullptr;
    QToolBar *m_toolBar;
    QLabel *m_message;
    QLabel *m_runStatus;
    QFrame *m_banner;
    QFileSystemWatcher *m_watcher;
    QTimer *m_diskTimer;
    QTimer *m_tick;
    PipelineRunner *m_runner;
    StageStatusProbe *m_statusProbe;
    QHash<QString, QAction *> m_actions;
    QVector<std::pair<pipeline::Stage, QPointF>> m_clipboard;
    QByteArray m_ignoredDiskText;
    // Run state by stage name (display data for the scene and the run panel).
    QHash<QString, pipeline::StageReport> m_reports;
    QHash<QString, qint64> m_startedAt; // ms on m_clock
    QHash<QString, std::pair<int, QString>> m_stageProgress; // running stage → percent, "epoch 3/10"
    QElapsedTimer *m_clock;
    int m_phase = 0;
};

} // namespace orrery::ui
