#include "ui/pipeline/stage_command.h"

#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>

namespace orrery::ui {

using namespace orrery::pipeline;

std::optional<StageCommand> StageCommand::parse(const QString &commandLine)
{
    static const QStringList shellOperators = {QStringLiteral("&&"), QStringLiteral("||"), QStringLiteral(";"), QStringLiteral("|"),
                                               QStringLiteral(">"), QStringLiteral("<"), QStringLiteral(">>"), QStringLiteral("&")};
    const QStringList argv = QProcess::splitCommand(commandLine);
    if (argv.size() < 3 || QFileInfo(argv[0]).fileName() != QLatin1String("orrery-cli") || argv[1] != QLatin1String("stage"))
        return std::nullopt;
    StageCommand c;
    c.program = argv[0];
    c.type = argv[2];
    for (int i = 3; i < argv.size(); ++i) {
        const QString &a = argv[i];
        if (shellOperators.contains(a) || !a.startsWith(QStringLiteral("--")))
            return std::nullopt; // not one plain built-in call: edited as a command stage
        const int eq = int(a.indexOf(QLatin1Char('=')));
        if (eq > 2) {
            c.args.append({a.mid(2, eq - 2), a.mid(eq + 1)});
        } else if (i + 1 < argv.size() && !argv[i + 1].startsWith(QStringLiteral("--"))) {
            c.args.append({a.mid(2), argv[i + 1]});
            ++i;
        } else {
            c.args.append({a.mid(2), QStringLiteral("true")});
        }
    }
    return c;
}

QString StageCommand::toCommandLine() const
{
    auto quote = [](QString v) {
        if (!v.isEmpty() && !v.contains(QRegularExpression(QStringLiteral("[\\s\"']"))))
            return v;
        return QLatin1Char('"') + v.replace(QLatin1Char('"'), QStringLiteral("\"\"\"")) + QLatin1Char('"');
    };
    QString line = program + QStringLiteral(" stage ") + type;
    for (const auto &[name, value] : args)
        line += QStringLiteral(" --") + name + QLatin1Char(' ') + quote(value);
    return line;
}

std::optional<QString> StageCommand::value(const QString &name) const
{
    for (const auto &[n, v] : args)
        if (n == name)
            return v;
    return std::nullopt;
}

void StageCommand::setValue(const QString &name, const QString &value)
{
    for (auto &[n, v] : args)
        if (n == name) {
            v = value;
            return;
        }
    args.append({name, value});
}

void StageCommand::remove(const QString &name)
{
    for (int i = int(args.size()) - 1; i >= 0; --i)
        if (args[i].first == name)
            args.remove(i);
}

QString StageCommand::paramReference(const QString &value)
{
    static const QRegularExpression re(QStringLiteral("^\\$\\{\\s*([A-Za-z0-9_.@-]+)\\s*\\}$"));
    const auto m = re.match(value.trimmed());
    return m.hasMatch() ? m.captured(1) : QString();
}

ParamValue StageCommand::typedValue(ParamType type, const QString &text)
{
    bool ok = false;
    switch (type) {
    case ParamType::Int: {
        const qint64 i = text.trimmed().toLongLong(&ok);
        if (ok)
            return ParamValue::integer(i);
        break;
    }
    case ParamType::Float: {
        const double d = text.trimmed().toDouble(&ok);
        if (ok)
            return ParamValue::real(d);
        break;
    }
    case ParamType::Bool:
        return ParamValue::boolean(text == QLatin1String("true"));
    default:
        break;
    }
    return ParamValue::string(text);
}

Stage StageCommand::newStage(const StageType &type, const QString &name, QVector<std::pair<QString, ParamValue>> *newParams)
{
    Stage s;
    s.name = name;
    s.desc = type.summary;
    StageCommand c;
    c.type = type.name;
    for (const auto &p : type.params) {
        if (p.kind == ParamKind::Output && p.required) {
            const QString lower = p.name.toLower();
            const QString ext = lower.contains(QLatin1String("model")) || lower.contains(QLatin1String("metric"))
                        || lower.contains(QLatin1String("report")) || lower.contains(QLatin1String("roc")) || lower == QLatin1String("pr")
                    ? QStringLiteral("json")
                    : QStringLiteral("csv");
            const QString path = QStringLiteral("work/%1/%2.%3").arg(name, p.name, ext);
            c.setValue(p.name, path);
            OutSpec o;
            o.path = path;
            s.outs.append(o);
        } else if (p.kind == ParamKind::Setting && !p.defaultValue.isEmpty()) {
            const QString key = name + QLatin1Char('.') + QString(p.name).replace(QLatin1Char('-'), QLatin1Char('_'));
            c.setValue(p.name, QStringLiteral("${%1}").arg(key));
            s.params.append(ParamRef{QStringLiteral("params.yaml"), key});
            if (newParams)
                newParams->append({key, typedValue(p.type, p.defaultValue)});
        }
    }
    s.cmd = QStringList{c.toCommandLine()};
    return s;
}

Stage StageCommand::newCommandStage(const QString &name)
{
    Stage s;
    s.name = name;
    s.desc = QStringLiteral("a shell command");
    s.cmd = QStringList{QStringLiteral("echo \"edit this command\"")};
    return s;
}

} // namespace orrery::ui
