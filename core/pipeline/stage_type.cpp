#include "core/pipeline/stage_type.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>

#include <cmath>

namespace orrery::pipeline {

const char *paramTypeName(ParamType t)
{
    switch (t) {
    case ParamType::String: return "string";
    case ParamType::Int: return "int";
    case ParamType::Float: return "float";
    case ParamType::Bool: return "bool";
    case ParamType::Choice: return "choice";
    case ParamType::Path: return "path";
    }
    return "?";
}

const StageParamSpec *StageType::param(const QString &name) const
{
    for (const auto &p : params)
        if (p.name == name)
            return &p;
    return nullptr;
}

QString StageType::helpText() const
{
    QString t = QStringLiteral("Usage: orrery-cli stage %1 [options]\n\n%2\n\n%3\n\nOptions:\n").arg(name, summary, docs);
    for (const auto &p : params) {
        QString what = QString::fromLatin1(paramTypeName(p.type));
        if (p.kind == ParamKind::Input)
            what = QStringLiteral("input path");
        else if (p.kind == ParamKind::Output)
            what = QStringLiteral("output path");
        if (p.type == ParamType::Choice)
            what += QStringLiteral(": ") + p.choices.join(QLatin1Char('|'));
        if (p.min || p.max)
            what += QStringLiteral(", %1..%2").arg(p.min ? QString::number(*p.min) : QString(), p.max ? QString::number(*p.max) : QString());
        if (p.required)
            what += QStringLiteral(", required");
        else if (!p.defaultValue.isEmpty())
            what += QStringLiteral(", default %1").arg(p.defaultValue);
        t += QStringLiteral("  --%1 (%2)\n      %3\n").arg(p.name, what, p.doc);
    }
    t += QStringLiteral("\nExit status: 0 done; 1 a check failed (listed on stderr); 2 an error.\n");
    return t;
}

Result<StageArgs> parseStageArgs(const StageType &type, const QStringList &argv)
{
    StageArgs args;
    for (int i = 0; i < argv.size(); ++i) {
        QString a = argv[i];
        if (!a.startsWith(QStringLiteral("--")))
            return invalidArgument(QStringLiteral("stage %1: unexpected argument '%2' (options are --name value)").arg(type.name, a));
        QString value;
        bool hasValue = false;
        const int eq = int(a.indexOf(QLatin1Char('=')));
        if (eq > 0) {
            value = a.mid(eq + 1);
            a = a.left(eq);
            hasValue = true;
        }
        const QString name = a.mid(2);
        const StageParamSpec *spec = type.param(name);
        if (!spec) {
            QStringList known;
            for (const auto &p : type.params)
                known << QStringLiteral("--") + p.name;
            return invalidArgument(QStringLiteral("stage %1: unknown option --%2 (known: %3)").arg(type.name, name, known.join(QStringLiteral(", "))));
        }
        if (!hasValue) {
            if (spec->type == ParamType::Bool && (i + 1 >= argv.size() || argv[i + 1].startsWith(QStringLiteral("--")))) {
                value = QStringLiteral("true");
            } else {
                if (i + 1 >= argv.size())
                    return invalidArgument(QStringLiteral("stage %1: --%2 needs a value").arg(type.name, name));
                value = argv[++i];
            }
        }
        switch (spec->type) {
        case ParamType::Int: {
            bool ok = false;
            const qint64 v = value.toLongLong(&ok);
            if (!ok)
                return invalidArgument(QStringLiteral("stage %1: --%2 takes a whole number, not '%3'").arg(type.name, name, value));
            if ((spec->min && v < *spec->min) || (spec->max && v > *spec->max))
                return invalidArgument(QStringLiteral("stage %1: --%2 must be within %3..%4, not %5")
                                           .arg(type.name, name, QString::number(spec->min.value_or(-INFINITY)), QString::number(spec->max.value_or(INFINITY)), value));
            break;
        }
        case ParamType::Float: {
            bool ok = false;
            const double v = value.toDouble(&ok);
            if (!ok || !std::isfinite(v))
                return invalidArgument(QStringLiteral("stage %1: --%2 takes a number, not '%3'").arg(type.name, name, value));
            if ((spec->min && v < *spec->min) || (spec->max && v > *spec->max))
                return invalidArgument(QStringLiteral("stage %1: --%2 must be within %3..%4, not %5")
                                           .arg(type.name, name, QString::number(spec->min.value_or(-INFINITY)), QString::number(spec->max.value_or(INFINITY)), value));
            break;
        }
        case ParamType::Bool:
            if (value != QLatin1String("true") && value != QLatin1String("false"))
                return invalidArgument(QStringLiteral("stage %1: --%2 is true or false, not '%3'").arg(type.name, name, value));
            break;
        case ParamType::Choice:
            if (!spec->choices.contains(value))
                return invalidArgument(QStringLiteral("stage %1: --%2 is one of %3, not '%4'").arg(type.name, name, spec->choices.join(QStringLiteral(", ")), value));
            break;
        case ParamType::String:
        case ParamType::Path:
            break;
        }
        args.set(name, value);
    }
    for (const auto &p : type.params) {
        if (args.values().contains(p.name))
            continue;
        if (p.required)
            return invalidArgument(QStringLiteral("stage %1: --%2 is required (%3)").arg(type.name, p.name, p.doc));
        if (!p.defaultValue.isEmpty())
            args.set(p.name, p.defaultValue);
    }
    return args;
}

QString StageContext::path(const QString &param) const
{
    const QString v = args.text(param);
    if (v.isEmpty())
        return QString();
    return QDir::cleanPath(QDir(workDir).absoluteFilePath(v));
}

void StageRegistry::add(const StageType &type, StageImpl impl)
{
    for (auto &t : m_types)
        if (t.name == type.name) {
            t = type;
            m_impls.insert(type.name, std::move(impl));
            return;
        }
    m_types.append(type);
    m_impls.insert(type.name, std::move(impl));
}

const StageType *StageRegistry::type(const QString &name) const
{
    for (const auto &t : m_types)
        if (t.name == name)
            return &t;
    return nullptr;
}

QStringList StageRegistry::names() const
{
    QStringList n;
    for (const auto &t : m_types)
        n << t.name;
    return n;
}

std::optional<BuiltinCall> parseBuiltinCall(const QString &commandLine)
{
    static const QStringList shellOperators = {QStringLiteral("&&"), QStringLiteral("||"), QStringLiteral(";"), QStringLiteral("|"),
                                               QStringLiteral(">"), QStringLiteral("<"), QStringLiteral(">>"), QStringLiteral("&")};
    const QStringList argv = QProcess::splitCommand(commandLine);
    if (argv.size() < 3)
        return std::nullopt;
    if (QFileInfo(argv[0]).fileName() != QLatin1String("orrery-cli") || argv[1] != QLatin1String("stage"))
        return std::nullopt;
    for (const auto &a : argv)
        if (shellOperators.contains(a) || a.contains(QLatin1Char('$')) || a.contains(QLatin1Char('`')))
            return std::nullopt;
    BuiltinCall call;
    call.type = argv[2];
    QStringList rest = argv.mid(3);
    // --workspace is the CLI's own option; the stage works relative to its working folder.
    for (int i = 0; i < rest.size(); ++i) {
        if (rest[i] == QLatin1String("--workspace") && i + 1 < rest.size()) {
            ++i;
            continue;
        }
        if (rest[i].startsWith(QStringLiteral("--workspace=")))
            continue;
        call.args << rest[i];
    }
    return call;
}

} // namespace orrery::pipeline
