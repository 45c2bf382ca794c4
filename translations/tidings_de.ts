<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ServerAddress</name>
    <message>
        <source>Enter the address of a Tidings server.</source>
        <translation>Geben Sie die Adresse eines Tidings-Servers ein.</translation>
    </message>
    <message>
        <source>“%1” is not a server address.</source>
        <translation>„%1“ ist keine Serveradresse.</translation>
    </message>
    <message>
        <source>Server addresses start with https:// or http://, not %1://.</source>
        <translation>Serveradressen beginnen mit https:// oder http://, nicht mit %1://.</translation>
    </message>
    <message>
        <source>A server address must not contain a user name or password.</source>
        <translation>Eine Serveradresse darf keinen Benutzernamen und kein Passwort enthalten.</translation>
    </message>
</context>
<context>
    <name>tidings::app::MainWindow</name>
    <message>
        <source>Tidings</source>
        <translation>Tidings</translation>
    </message>
    <message>
        <source>Welcome to Tidings</source>
        <translation>Willkommen bei Tidings</translation>
    </message>
    <message>
        <source>Choose the server you chat on.</source>
        <translation>Wählen Sie den Server, auf dem Sie chatten.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <source>chat.example.org or localhost:8420</source>
        <translation>chat.example.org oder localhost:8420</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Server:</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Connection status</source>
        <translation>Verbindungsstatus</translation>
    </message>
    <message>
        <source>Connected: Tidings relay %1.</source>
        <translation>Verbunden: Tidings-Relay %1.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1 …</translation>
    </message>
</context>
<context>
    <name>tidings::app::RelayProbe</name>
    <message>
        <source>The server could not be reached: %1</source>
        <translation>Der Server ist nicht erreichbar: %1</translation>
    </message>
    <message>
        <source>The server answered, but it is not a Tidings relay.</source>
        <translation>Der Server hat geantwortet, ist aber kein Tidings-Relay.</translation>
    </message>
</context>
</TS>
