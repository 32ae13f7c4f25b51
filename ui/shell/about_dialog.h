#pragma once
// AboutDialog: Orrery's version and the versions of what it is built on (Qt, LibTorch, SQLite,
// libgit2, the compiler, the OS), from orrery::common::libraryVersions() — the same facts
// `orrery-cli --version` prints and runs record. A Copy button puts them on the clipboard as
// plain text, which is what a bug report needs.

#include <QDialog>

namespace orrery::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // "Name: version" lines, as copied to the clipboard.
    QString versionsText() const { return m_versionsText; }

private:
    QString m_versionsText;
};

} // namespace orrery::ui
