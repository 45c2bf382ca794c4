#include "store/store.h"

namespace tidings::relay {

Store::~Store()
{
    close();
}

int Store::backlog() const
{
    return (m_writer ? m_writer->pendingJobs() : 0) + (m_reader ? m_reader->pendingJobs() : 0);
}

void Store::close()
{
    // Readers first: nothing may read after the writer's last commit is gone.
    if (m_reader)
        m_reader->stop();
    if (m_writer)
        m_writer->stop();
    m_reader.reset();
    m_writer.reset();
}

} // namespace tidings::relay
