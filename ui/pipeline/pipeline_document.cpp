#include "ui/pipeline/pipeline_document.h"

#include "core/common/atomic_file.h"
#include "core/pipeline/dag_layout.h"
#include "core/pipeline/layout.h"
#include "core/stages/builtin_stages.h"
#include "ui/pipeline/stage_command.h"
#include "ui/pipeline/stage_ports.h"

#include <QDir>
#include <QFile>
#include <QUndoStack>

namespace orrery::ui {

using namespace orrery::pipeline;

namespace {

// Removes a dotted key from a map (ParamValue can set but not remove); empty parents go too.
bool removeKey(ParamValue &map, const QString &dotted)
{
    if (map.kind() != ParamValue::Kind::Map)
        return false;
    const int dot = int(dotted.indexOf(QLatin1Char('.')));
    const QString head = dot < 0 ? dotted : dotted.left(dot);
    auto &entries = map.entries();
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (it->first != head)
            continue;
        if (dot < 0) {
            entries.erase(it);
            return true;
        }
        const bool removed = removeKey(it->second, dotted.mid(dot + 1));
        if (removed && it->second.kind() == ParamValue::Kind::Map && it->second.entries().empty())
            entries.erase(it);
        return removed;
    }
    return false;
}

} // namespace

PipelineDocument::PipelineDocument(QObject *parent)
    : QObject(parent), m_model(new PipelineModel(this)), m_undo(new QUndoStack(this))
{
    stages::registerBuiltinStages(m_registry);
    m_params = ParamValue::map({});
}

PipelineDocument::~PipelineDocument() = default;

bool PipelineDocument::isModified() const
{
    return !m_undo->isClean();
}

bool PipelineDocument::isAutoLaidOut() const
{
    return m_autoLaidOut && m_undo->index() == 0 && !isModified();
}

void PipelineDocument::clear()
{
    m_root.clear();
    m_undo->clear();
    m_file = PipelineFile();
    m_params = ParamValue::map({});
    m_generated.clear();
    m_diskText.clear();
    (void)m_model->reset({});
}

Status PipelineDocument::load(const QString &root)
{
    const QString path = QDir(root).filePath(QStringLiteral("dvc.yaml"));
    QByteArray text;
    PipelineFile file;
    if (QFile::exists(path)) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
        text = f.readAll();
        ORRERY_ASSIGN_OR_RETURN(file, PipelineFile::parse(text, QStringLiteral("dvc.yaml"), root));
    }
    ORRERY_ASSIGN_OR_RETURN(auto params, loadParamsFile(QDir(root).filePath(QStringLiteral("params.yaml")), QStringLiteral("params.yaml")));
    ORRERY_ASSIGN_OR_RETURN(auto layout, Layout::load(root));

    // The model gets each plain stage with its cmd as written (uninterpolated).
    QVector<Stage> stages;
    QSet<QString> generated;
    auto doc = parseYamlDocument(text, QStringLiteral("dvc.yaml"));
    const ParamValue *stagesRaw = doc ? doc->find(QStringLiteral("stages")) : nullptr;
    for (const auto &e : file.entries) {
        if (e.generated) {
            for (const auto &s : e.expanded) {
                generated.insert(s.name);
                stages.append(s);
            }
            continue;
        }
        Stage s = e.stage;
        const ParamValue *body = nullptr;
        if (stagesRaw && stagesRaw->kind() == ParamValue::Kind::Map)
            for (const auto &[k, v] : stagesRaw->entries())
                if (k == e.name)
                    body = &v;
        const ParamValue *cmd = body ? body->find(QStringLiteral("cmd")) : nullptr;
        if (cmd && cmd->kind() == ParamValue::Kind::String) {
            s.cmd = QStringList{cmd->toStringValue()};
        } else if (cmd && cmd->kind() == ParamValue::Kind::List) {
            QStringList raw;
            for (const auto &c : cmd->items())
                raw << c.interpolationText();
            if (raw.size() == s.cmd.size())
                s.cmd = raw;
        }
        stages.append(s);
    }
    ORRERY_TRY(m_model->reset(stages));
    m_root = QDir(root).absolutePath();
    m_file = file;
    m_params = params.kind() == ParamValue::Kind::Map ? params : ParamValue::map({});
    m_paramsChanged = false;
    m_generated = generated;
    m_diskText = text;
    layout.applyTo(*m_model);
    m_autoLaidOut = layout.positions.isEmpty();
    if (layout.positions.isEmpty()) {
        // A pipeline never opened in the editor: the layered layout, spaced for the cards.
        DagLayoutOptions options;
        options.columnWidth = 290;
        options.height = [this](NodeId id) {
            const Stage *s = m_model->stage(id);
            const StageType *t = stageType(id);
            return 100.0 + 18.0 * std::max(StagePorts::inputs(*s, t).size(), StagePorts::outputs(*s, t).size());
        };
        const auto positions = layeredLayout(*m_model, options);
        for (auto it = positions.cbegin(); it != positions.cend(); ++it)
            (void)m_model->setPosition(it.key(), it.value());
    } else {
        Layout::autoLayout(*m_model, layout);
    }
    m_undo->clear();
    Q_EMIT reloaded();
    return Status::ok();
}

Status PipelineDocument::save()
{
    if (m_root.isEmpty())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("no workspace is open"));
    PipelineFile out = m_file;
    QSet<QString> keep;
    for (NodeId n : m_model->nodes())
        keep.insert(m_model->stage(n)->name);
    // Entries whose stages are gone (or renamed) leave; groups stay while any of theirs is there.
    for (int i = int(out.entries.size()) - 1; i >= 0; --i) {
        const auto &e = out.entries[i];
        bool any = false;
        if (e.generated) {
            for (const auto &s : e.expanded)
                any = any || keep.contains(s.name);
        } else {
            any = keep.contains(e.name);
        }
        if (!any)
            out.entries.remove(i);
    }
    for (NodeId n : m_model->nodes()) {
        const Stage *s = m_model->stage(n);
        if (!m_generated.contains(s->name))
            out.setStage(*s);
    }
    const QByteArray text = out.serialize();
    ORRERY_TRY(common::writeFileAtomically(QDir(m_root).filePath(QStringLiteral("dvc.yaml")), text));
    if (m_paramsChanged)
        ORRERY_TRY(common::writeFileAtomically(QDir(m_root).filePath(QStringLiteral("params.yaml")), serializeYamlDocument(m_params)));
    ORRERY_TRY(Layout::fromModel(*m_model).save(m_root));
    // Re-read what was written, so the next save starts from the file as it now is.
    auto reread = PipelineFile::parse(text, QStringLiteral("dvc.yaml"), m_root);
    if (reread)
        m_file = *reread;
    m_diskText = text;
    m_paramsChanged = false;
    m_undo->setClean();
    Q_EMIT saved();
    return Status::ok();
}

const StageType *PipelineDocument::stageType(NodeId id) const
{
    const Stage *s = m_model->stage(id);
    if (!s || s->cmd.size() != 1)
        return nullptr;
    auto call = StageCommand::parse(s->cmd.front());
    return call ? m_registry.type(call->type) : nullptr;
}

std::optional<ParamValue> PipelineDocument::param(const QString &key) const
{
    const ParamValue *v = m_params.find(key);
    if (!v)
        return std::nullopt;
    return *v;
}

void PipelineDocument::setParam(const QString &key, const std::optional<ParamValue> &value)
{
    if (value)
        m_params.set(key, *value);
    else
        removeKey(m_params, key);
    m_paramsChanged = true;
    Q_EMIT paramChanged(key);
}

QString PipelineDocument::uniqueName(const QString &base) const
{
    QString clean = base;
    clean.replace(QLatin1Char(' '), QLatin1Char('_'));
    if (clean.isEmpty())
        clean = QStringLiteral("stage");
    if (!m_model->nodeByName(clean))
        return clean;
    for (int i = 2;; ++i) {
        const QString name = QStringLiteral("%1_%2").arg(clean).arg(i);
        if (!m_model->nodeByName(name))
            return name;
    }
}

} // namespace orrery::ui
