#pragma once
// PipelineFile: dvc.yaml read and written in DVC's format, and params.yaml.
//
// Reading: `stages` with cmd (string or list), wdir, deps, params (keys, or {file: [keys]}), outs,
// metrics, plots (each a path or {path: {options}}), frozen, always_changed, desc; `foreach`
// (list or map) and `matrix` groups with `do`, expanded into stages named as DVC names them
// (name@item, name@key, name@index for list items that are maps, name@v1-v2 for a matrix);
// `${…}` interpolation from `vars` (inline maps and files; params.yaml by default), ${item},
// ${key}, ${item.field} and matrix keys. Top-level metrics/plots/params/vars/artifacts are kept.
//
// Errors name the file, line and column (YAML syntax and shape alike), and say what was expected.
//
// Writing: the group entries are written back as they were read (so `dvc repro` expands them the
// same way); plain stages are written from their current Stage. Unknown keys survive a round trip.

#include "core/common/status.h"
#include "core/pipeline/param_value.h"
#include "core/pipeline/stage.h"

#include <QByteArray>
#include <QString>
#include <QVector>

#include <optional>

namespace orrery::pipeline {

struct PipelineEntry {
    QString name;          // the key under `stages`
    bool generated = false; // a foreach/matrix group
    Stage stage;           // plain stage (generated == false)
    // The definition as read, and the stage it gave: written back as it was (with its ${…}
    // templates); after setStage() the fields that did not change keep their text from here, so
    // an edit of one field never bakes the params into the others. Always used for groups.
    std::optional<ParamValue> raw;
    std::optional<Stage> asRead;
    QVector<Stage> expanded; // the group's stages (generated == true)
};

class PipelineFile {
public:
    QVector<PipelineEntry> entries;
    // Top-level keys other than `stages` (vars, metrics, plots, params, artifacts), in order.
    std::vector<std::pair<QString, ParamValue>> topLevel;

    // All stages after expansion, in file order.
    QVector<Stage> stages() const;
    const Stage *stage(const QString &name) const;

    // `root` is where params.yaml and vars files are found; `fileName` names the text in errors.
    static Result<PipelineFile> parse(const QByteArray &yaml, const QString &fileName, const QString &root);
    static Result<PipelineFile> load(const QString &root); // root/dvc.yaml
    QByteArray serialize() const;
    Status save(const QString &root) const; // atomically

    // Replaces or appends a plain stage (the model's edits end up here).
    void setStage(const Stage &stage);
    void removeStage(const QString &name);
};

// A YAML document (params.yaml, a vars file) as a ParamValue; errors name file:line:column.
Result<ParamValue> parseYamlDocument(const QByteArray &yaml, const QString &fileName);
// params.yaml and friends: a missing file is an empty map; .json is read as YAML (a superset).
Result<ParamValue> loadParamsFile(const QString &path, const QString &displayName);
// A map as YAML text in block style (params.yaml after a merge).
QByteArray serializeYamlDocument(const ParamValue &value);

} // namespace orrery::pipeline
