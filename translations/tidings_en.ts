<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>tidings::app::ConversationDelegate</name>
    <message numerus="yes">
        <source>%1 and %n others are typing…</source>
        <translation>
            <numerusform>%1 and %n other is typing…</numerusform>
            <numerusform>%1 and %n others are typing…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tidings::app::ConversationListModel</name>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n file</numerusform>
            <numerusform>%n files</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tidings::app::ConversationView</name>
    <message numerus="yes">
        <source>last seen %n min ago</source>
        <translation>
            <numerusform>last seen %n min ago</numerusform>
            <numerusform>last seen %n min ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n member</numerusform>
            <numerusform>%n members</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tidings::app::Notifier</name>
    <message numerus="yes">
        <source>Tidings — %n unread</source>
        <translation>
            <numerusform>Tidings — %n unread</numerusform>
            <numerusform>Tidings — %n unread</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tidings::app::SearchDialog</name>
    <message numerus="yes">
        <source>%n message(s) found</source>
        <translation>
            <numerusform>%n message found</numerusform>
            <numerusform>%n messages found</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tidings::app::SendFilesDialog</name>
    <message numerus="yes">
        <source>Send %n picture(s)</source>
        <translation>
            <numerusform>Send %n picture</numerusform>
            <numerusform>Send %n pictures</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Send %n file(s)</source>
        <translation>
            <numerusform>Send %n file</numerusform>
            <numerusform>Send %n files</numerusform>
        </translation>
    </message>
</context>
</TS>
