#pragma once
// The look every table in the Data area shares: whole-row selection, no grid, alternating rows,
// no editing, compact rows, left-aligned headers, text elided on the right. One function so the
// five tables of the area cannot drift apart; the layout the two directory views share is here
// for the same reason.

class QLabel;
class QStackedWidget;
class QString;
class QTableView;
class QWidget;

namespace orrery::ui {

void setUpDataTable(QTableView *view);
// A bold section heading ("Datasets", "Versions").
QLabel *makeSectionLabel(const QString &text, QWidget *parent = nullptr);
// A secondary line (palette placeholder colour, word-wrapped).
QLabel *makeNoteLabel(QWidget *parent = nullptr);
// The body of a directory view (one version, or two compared): the summary line over the file
// table on the left, and on the right `side` with `note` (centred) as its first page and `detail`
// as its second; the right gets most of the width. Lays it out in `owner`.
void layOutDirectoryView(QWidget *owner, QLabel *summary, QTableView *files, QStackedWidget *side, QLabel *note, QWidget *detail);

} // namespace orrery::ui
