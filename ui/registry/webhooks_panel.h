#pragma once
// WebhooksPanel: the registry's webhooks in the Registry area — what `orrery-cli models webhooks`
// offers: the webhooks (URL, events, model, whether a secret is set — never the secret), adding
// one (the URL checked as the CLI checks it; a generated secret shown once, selectable), removing
// one, and the recent deliveries with their state, attempts and last answer.
//
// Every read and write runs on the area's store::DatabaseWorker; the area refreshes the panel with its
// poll while it is shown.
//
// Threads: GUI thread only.

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {


class WebhooksPanel : public QWidget {
    Q_OBJECT
public:
    WebhooksPanel(store::DatabaseWorker *worker, QWidget *parent = nullptr);

    void refresh();
    void clear();

    QTreeWidget *hookView() const { return m_hooks; }
    QTreeWidget *deliveryView() const { return m_deliveries; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *eventsEdit() const { return m_events; }
    QLineEdit *modelEdit() const { return m_model; }
    QLineEdit *secretEdit() const { return m_secret; }
    QCheckBox *allowHttpBox() const { return m_allowHttp; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }
    QLabel *messageLabel() const { return m_message; }

Q_SIGNALS:
    void refreshed();

private:
    void add();
    void removeSelected();
    void showError(const QString &message);

    store::DatabaseWorker *m_worker;
    QTreeWidget *m_hooks;
    QTreeWidget *m_deliveries;
    QLineEdit *m_url;
    QLineEdit *m_events;
    QLineEdit *m_model;
    QLineEdit *m_secret;
    QCheckBox *m_allowHttp;
    QPushButton *m_add;
    QPushButton *m_remove;
    QLabel *m_message;
    quint64 m_request = 0;
};

} // namespace orrery::ui
