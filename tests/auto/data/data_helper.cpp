// A separate process that adds data, so a test can kill it with SIGKILL halfway.
//   data_helper add ROOT PATH
#include "core/data/data_repository.h"
#include "core/store/database.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() != 4 || a[1] != QLatin1String("add"))
        return 2;
    auto db = orrery::store::Database::open(a[2] + QStringLiteral("/.orrery/orrery.db"));
    if (!db)
        return 2;
    std::printf("started\n");
    std::fflush(stdout);
    orrery::data::DataRepository repo(a[2], db->get());
    auto r = repo.add({a[3]});
    return r ? 0 : 1;
}
