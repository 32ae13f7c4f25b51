#pragma once
// PipelineDocument: what the pipeline editor edits — the core's PipelineModel (stages and their
// positions), params.yaml as a ParamValue, and the undo stack of every edit. It reads and writes
// dvc.yaml, params.yaml and .orrery/layout.json; the scene and the property editor are views of
// it and change it only through undo commands (ui/undo_*.h), never directly.
//
// Commands are raw: dvc.yaml's `cmd` is kept as written, `${split.seed}` and all, so a save never
// bakes interpolated values into the file and a setting stays backed by params.yaml. Stages of a
// foreach/matrix group are shown but written back as their group (isGenerated()).
//
// Threads: GUI thread only; load() and save() do small file I/O (a few KB).

#include "core/common/status.h"
#include "core/pipeline/param_value.h"
#include "core/pipeline/pipeline_file.h"
#include "core/pipeline/pipeline_model.h"
#include "core/pipeline/stage_type.h"

#include <QObject>
#include <QSet>

#include <optional>

class QUndoStack;

namespace orrery::ui {

class PipelineDocument : public QObject {
    Q_OBJECT
public:
    explicit PipelineDocument(QObject *parent = nullptr);
    ~PipelineDocument() override;

    // Reads root/dvc.yaml (missing: an empty pipeline), params.yaml and layout.json; stages with no
    // saved position are laid out. Clears the undo stack.
    Status load(const QString &root);
    // Writes dvc.yaml, params.yaml (only when a param changed) and layout.json; marks clean.
    Status save();
    void clear();

    QString root() const { return m_root; }
    bool isLoaded() const { return !m_root.isEmpty(); }
    bool isModified() const;
    pipeline::PipelineModel *model() const { return m_model; }
    QUndoStack *undoStack() const { return m_undo; }
    const pipeline::StageRegistry &registry() const { return m_registry; }

    // The built-in type a node runs (`orrery-cli stage TYPE …`), or null for a command stage.
    const pipeline::StageType *stageType(pipeline::NodeId id) const;
    bool isGenerated(const QString &stageName) const { return m_generated.contains(stageName); }
    // dvc.yaml as last read or written by this document (to tell our own saves from others' edits).
    QByteArray lastDiskText() const { return m_diskText; }

    const pipeline::ParamValue &params() const { return m_params; }
    std::optional<pipeline::ParamValue> param(const QString &key) const;
    // Sets (or removes, with nullopt) a dotted key of params.yaml. Undo commands call this.
    void setParam(const QString &key, const std::optional<pipeline::ParamValue> &value);

    // The positions are the editor's own layered layout (no layout.json was read): the editor may
    // lay them out again to fit the window, as long as the user has not edited anything.
    bool isAutoLaidOut() const;

    // A stage name not used yet: base, base_2, base_3, …
    QString uniqueName(const QString &base) const;

Q_SIGNALS:
    void paramChanged(const QString &key);
    void reloaded();
    void saved();

private:
    QString m_root;
    pipeline::PipelineModel *m_model;
    QUndoStack *m_undo;
    pipeline::StageRegistry m_registry;
    pipeline::PipelineFile m_file;
    pipeline::ParamValue m_params;
    bool m_paramsChanged = false;
    bool m_autoLaidOut = false;
    QSet<QString> m_generated;
    QByteArray m_diskText;
};

} // namespace orrery::ui
