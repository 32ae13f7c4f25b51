#pragma once
// The look every table in the Data area shares: whole-row selection, no grid, alternating rows,
// no editing, compact rows, left-aligned headers, text elided on the right. One function so the
// five tables of the area cannot drift apart.

class QLabel;
class QString;
class QTableView;
class QWidget;

namespace orrery::ui {

void setUpDataTable(QTableView *view);
// A bold section heading ("Datasets", "Versions").
QLabel *makeSectionLabel(const QString &text, QWidget *parent = nullptr);
// A secondary line (palette placeholder colour, word-wrapped).
QLabel *makeNoteLabel(QWidget *parent = nullptr);

} // namespace orrery::ui
