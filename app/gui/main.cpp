// orrery: the workbench window. Parses `orrery [WORKSPACE]`, wires the window, nothing else
// (DESIGN.md, "Layers").

#include "core/common/clock.h"
#include "core/common/system_info.h"
#include "ui/shell/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    // These name the QSettings file (~/.config/Orrery/Orrery.conf): recent workspaces, geometry.
    QApplication::setOrganizationName(QStringLiteral("Orrery"));
    QApplication::setApplicationName(QStringLiteral("Orrery"));
    QApplication::setApplicationVersion(orrery::common::orreryVersion());
    // Matches packaging/org.orrery.Orrery.desktop, so Wayland and X11 task bars group the window.
    QGuiApplication::setDesktopFileName(QStringLiteral("org.orrery.Orrery"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/app.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "The Orrery workbench: pipelines, data, experiments, models, deployments and monitoring."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("WORKSPACE"),
        QApplication::translate("main", "The workspace folder to open (default: the last one used)."),
        QStringLiteral("[WORKSPACE]"));
    parser.process(app);
    // The window records times too (audit entries, runs): on a bad compressed-clock setting
    // (core/common/clock.h) it says so and does not open.
    if (const orrery::Status clock = orrery::common::checkClockEnvironment(); !clock) {
        std::fprintf(stderr, "orrery: %s\n", qPrintable(clock.message()));
        return 2;
    }

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        // Usage errors exit with 2 and say so on stderr, as orrery-cli does.
        std::fprintf(stderr, "orrery: expected at most one WORKSPACE, got %d\n\n%s", int(positional.size()),
                     qPrintable(parser.helpText()));
        return 2;
    }

    orrery::ui::MainWindow window;
    window.show();
    if (!positional.isEmpty())
        window.openWorkspace(positional.first());
    else
        window.openLastWorkspace();
    return app.exec();
}
