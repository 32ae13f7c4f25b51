#include "ui/registry/webhooks_panel.h"

#include "core/registry/webhooks.h"
#include "core/store/database.h"
#include "core/store/database_worker.h"

#include <QCheckBox>
#include <QColor>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace orrery::ui {

namespace {

struct WebhooksView {
    QVector<registry::Webhook> hooks;
    QVector<registry::WebhookDelivery> deliveries;
};

QString timeText(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
}

} // namespace

WebhooksPanel::WebhooksPanel(store::DatabaseWorker *worker, QWidget *parent)
    : QWidget(parent),
      m_worker(worker),
      m_hooks(new QTreeWidget(this)),
      m_deliveries(new QTreeWidget(this)),
      m_url(new QLineEdit(this)),
      m_events(new QLineEdit(this)),
      m_model(new QLineEdit(this)),
      m_secret(new QLineEdit(this)),
      m_allowHttp(new QCheckBox(tr("Allow plain http to other hosts"), this)),
      m_add(new QPushButton(tr("Add webhook"), this)),
      m_remove(new QPushButton(tr("Remove"), this)),
      m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("webhooksPanel"));
    m_hooks->setObjectName(QStringLiteral("webhookList"));
    m_hooks->setHeaderLabels({tr("Id"), tr("URL"), tr("Events"), tr("Model"), tr("Secret")});
    m_hooks->setRootIsDecorated(false);
    m_hooks->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_deliveries->setObjectName(QStringLiteral("deliveryList"));
    m_deliveries->setHeaderLabels({tr("Id"), tr("Webhook"), tr("Event"), tr("State"), tr("Attempts"), tr("Last answer"), tr("Created")});
    m_deliveries->setRootIsDecorated(false);
    m_deliveries->header()->setSectionResizeMode(5, QHeaderView::Stretch);
    m_url->setObjectName(QStringLiteral("webhookUrl"));
    m_url->setPlaceholderText(QStringLiteral("https://hooks.example.com/orrery"));
    m_url->setToolTip(tr("http(s) only; plain http only to this machine (127.0.0.1, ::1, localhost) unless allowed below"));
    m_events->setObjectName(QStringLiteral("webhookEvents"));
    m_events->setText(QStringLiteral("*"));
    m_events->setToolTip(registry::webhookEventNames().join(QStringLiteral(", ")));
    m_model->setObjectName(QStringLiteral("webhookModel"));
    m_model->setPlaceholderText(tr("every model"));
    m_secret->setObjectName(QStringLiteral("webhookSecret"));
    m_secret->setPlaceholderText(tr("generated and shown once when empty"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_add->setObjectName(QStringLiteral("addWebhook"));
    m_remove->setObjectName(QStringLiteral("removeWebhook"));
    m_remove->setEnabled(false);
    m_message->setObjectName(QStringLiteral("webhookMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse); // a generated secret is copied from here

    auto *form = new QFormLayout;
    form->addRow(tr("URL"), m_url);
    form->addRow(tr("Events"), m_events);
    form->addRow(tr("Model"), m_model);
    form->addRow(tr("Secret"), m_secret);
    form->addRow(QString(), m_allowHttp);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    // Labels wrap: the area must fit the window's smallest width (tst_main_window's 1111 px).
    auto *intro = new QLabel(tr("Webhooks: an HTTP POST of each event's JSON, signed with X-Orrery-Signature (HMAC-SHA256)."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addWidget(m_hooks, 1);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    auto *deliveries = new QLabel(tr("Recent deliveries (retried by tracking serve while it runs)"), this);
    deliveries->setWordWrap(true);
    layout->addWidget(deliveries);
    layout->addWidget(m_deliveries, 2);

    connect(m_add, &QPushButton::clicked, this, &WebhooksPanel::add);
    connect(m_remove, &QPushButton::clicked, this, &WebhooksPanel::removeSelected);
    connect(m_hooks, &QTreeWidget::itemSelectionChanged, this, [this] { m_remove->setEnabled(!m_hooks->selectedItems().isEmpty()); });
}

void WebhooksPanel::clear()
{
    ++m_request;
    m_hooks->clear();
    m_deliveries->clear();
    m_message->clear();
}

void WebhooksPanel::refresh()
{
    const quint64 request = ++m_request;
    m_worker->post<WebhooksView>([](store::Database &db) -> Result<WebhooksView> {
        registry::Webhooks hooks(db);
        WebhooksView view;
        ORRERY_ASSIGN_OR_RETURN(view.hooks, hooks.list());
        ORRERY_ASSIGN_OR_RETURN(view.deliveries, hooks.deliveries());
        return view;
    }, this, [this, request](const Result<WebhooksView> &view) {
        if (request != m_request)
            return;
        if (!view) {
            showError(tr("Could not read the webhooks: %1").arg(view.status().message()));
            return;
        }
        const qint64 selected = m_hooks->selectedItems().isEmpty() ? 0 : m_hooks->selectedItems().first()->data(0, Qt::UserRole).toLongLong();
        m_hooks->clear();
        for (const registry::Webhook &h : view->hooks) {
            auto *item = new QTreeWidgetItem(m_hooks, {QString::number(h.id), h.url, h.events.join(QStringLiteral(", ")),
                                                       h.model.isEmpty() ? tr("every model") : h.model, h.hasSecret ? tr("set") : tr("none")});
            item->setData(0, Qt::UserRole, h.id);
            if (h.id == selected)
                item->setSelected(true);
        }
        m_deliveries->clear();
        for (const registry::WebhookDelivery &d : view->deliveries) {
            const QString answer = d.lastStatus ? QStringLiteral("HTTP %1 %2").arg(d.lastStatus).arg(d.lastError) : d.lastError;
            auto *item = new QTreeWidgetItem(m_deliveries, {QString::number(d.id), QString::number(d.webhookId), d.event, d.state,
                                                            QString::number(d.attempts), answer.trimmed(), timeText(d.created)});
            if (d.state == QLatin1String("failed"))
                item->setForeground(3, QColor(0xc6, 0x28, 0x28));
            else if (d.state == QLatin1String("delivered"))
                item->setForeground(3, QColor(0x2c, 0x9a, 0x2c));
        }
        Q_EMIT refreshed();
    });
}

void WebhooksPanel::add()
{
    registry::NewWebhook hook;
    hook.url = m_url->text().trimmed();
    hook.events = m_events->text().split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (QString &e : hook.events)
        e = e.trimmed();
    hook.model = m_model->text().trimmed();
    hook.secret = m_secret->text();
    hook.allowHttp = m_allowHttp->isChecked();
    m_add->setEnabled(false);
    m_worker->post<registry::AddedWebhook>([hook](store::Database &db) { return registry::Webhooks(db).add(hook); }, this,
                                           [this](const Result<registry::AddedWebhook> &added) {
                                               m_add->setEnabled(true);
                                               if (!added) {
                                                   showError(added.status().message());
                                                   return;
                                               }
                                               m_message->setStyleSheet(QString());
                                               m_message->setText(added->generatedSecret.isEmpty()
                                                                      ? tr("Webhook %1 added.").arg(added->webhook.id)
                                                                      : tr("Webhook %1 added. Its secret, shown only now — keep it for checking "
                                                                           "X-Orrery-Signature: %2")
                                                                            .arg(added->webhook.id)
                                                                            .arg(added->generatedSecret));
                                               m_url->clear();
                                               m_secret->clear();
                                               refresh();
                                           });
}

void WebhooksPanel::removeSelected()
{
    if (m_hooks->selectedItems().isEmpty())
        return;
    const qint64 id = m_hooks->selectedItems().first()->data(0, Qt::UserRole).toLongLong();
    m_worker->post<bool>([id](store::Database &db) -> Result<bool> {
        ORRERY_TRY(registry::Webhooks(db).remove(id));
        return true;
    }, this, [this, id](const Result<bool> &removed) {
        if (!removed) {
            showError(removed.status().message());
            return;
        }
        m_message->setStyleSheet(QString());
        m_message->setText(tr("Webhook %1 removed.").arg(id));
        refresh();
    });
}

void WebhooksPanel::showError(const QString &message)
{
    m_message->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_message->setText(message);
}

} // namespace orrery::ui
