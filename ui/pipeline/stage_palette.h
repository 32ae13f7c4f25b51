#pragma once
// StagePalette: the stage types a pipeline can use — the built-in ones from the StageRegistry and
// "command" (any shell command) — in a list filtered as the user types (name, summary, docs). An
// entry is dragged onto the canvas (mime PipelineView::kStageMime, the type's name) or added with
// Enter / a double click at the canvas's centre.
//
// Each entry is an icon, the type's name and its one-line summary (the stage type's own, from
// core/stages, so the palette says what `orrery-cli stage TYPE --help` says); the long docs are
// the tooltip. The item's text is the name; the summary is drawn under it by a delegate.

#include <QWidget>

class QLineEdit;
class QListWidget;
class QMimeData;

namespace orrery::pipeline {
class StageRegistry;
}

namespace orrery::ui {

class StagePalette : public QWidget {
    Q_OBJECT
public:
    static const QString kCommandType; // "command"
    static constexpr int kTypeRole = Qt::UserRole + 1;    // the type's name
    static constexpr int kSummaryRole = Qt::UserRole + 3; // its one-line description

    explicit StagePalette(const pipeline::StageRegistry &registry, QWidget *parent = nullptr);
    QListWidget *list() const { return m_list; }
    QLineEdit *filterEdit() const { return m_filter; }
    // What a drag of the current entry carries (the same data the list's QDrag uses).
    QMimeData *mimeDataForCurrent() const;
    void setFilter(const QString &text);

Q_SIGNALS:
    void activated(const QString &typeName);

private:
    QLineEdit *m_filter;
    QListWidget *m_list;
};

} // namespace orrery::ui
