#pragma once
// StageCommand: a built-in stage's raw command line (`orrery-cli stage TYPE --name value …`, with
// `${…}` left as written) taken apart into its options and put back together. The editor reads a
// setting's value from here and writes edits back here; parseBuiltinCall() in the core refuses
// `$` because it runs commands, the editor does not.

#include "core/pipeline/stage.h"
#include "core/pipeline/stage_type.h"

#include <QString>
#include <QVector>

#include <optional>
#include <utility>

namespace orrery::ui {

class PipelineDocument;

class StageCommand {
public:
    QString program = QStringLiteral("orrery-cli");
    QString type;
    QVector<std::pair<QString, QString>> args; // option name (without --) → value; flags hold "true"

    static std::optional<StageCommand> parse(const QString &commandLine);
    QString toCommandLine() const;

    std::optional<QString> value(const QString &name) const;
    void setValue(const QString &name, const QString &value); // appends when absent
    void remove(const QString &name);

    // "${split.seed}" → "split.seed"; empty when the value is literal.
    static QString paramReference(const QString &value);

    // A new stage of a built-in type, named `name`: required outputs get paths under work/,
    // settings with defaults become `${name.setting}` with the default added to params.yaml
    // through `newParams`.
    static pipeline::Stage newStage(const pipeline::StageType &type, const QString &name,
                                    QVector<std::pair<QString, pipeline::ParamValue>> *newParams);
    static pipeline::Stage newCommandStage(const QString &name);
    // A setting's text as a typed params.yaml value (int, float, bool, else string).
    static pipeline::ParamValue typedValue(pipeline::ParamType type, const QString &text);
};

} // namespace orrery::ui
