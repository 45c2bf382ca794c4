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
    <name>TokenStorageChoice</name>
    <message>
        <source>No keychain</source>
        <translation>Kein Schlüsselbund</translation>
    </message>
    <message>
        <source>Tidings cannot keep you signed in safely on this computer.</source>
        <translation>Tidings kann Sie auf diesem Computer nicht sicher angemeldet halten.</translation>
    </message>
    <message>
        <source>You can sign in each time you start Tidings, or keep your session in a file that is not encrypted. Only your user account can read it, but anyone with access to your files could use it to read and send your messages:</source>
        <translation>Sie können sich bei jedem Start von Tidings anmelden oder Ihre Sitzung in einer unverschlüsselten Datei aufbewahren. Nur Ihr Benutzerkonto kann sie lesen, aber wer Zugriff auf Ihre Dateien hat, könnte damit Ihre Nachrichten lesen und senden:</translation>
    </message>
    <message>
        <source>Sign In Each Time</source>
        <translation>Jedes Mal anmelden</translation>
    </message>
    <message>
        <source>Sign in each time, keep nothing on disk</source>
        <translation>Jedes Mal anmelden, nichts auf der Festplatte speichern</translation>
    </message>
    <message>
        <source>Keep Me Signed In (File)</source>
        <translation>Angemeldet bleiben (Datei)</translation>
    </message>
    <message>
        <source>Keep the session in an unencrypted file</source>
        <translation>Die Sitzung in einer unverschlüsselten Datei aufbewahren</translation>
    </message>
</context>
<context>
    <name>tidings::app::ConversationListModel</name>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation>Nachricht gelöscht</translation>
    </message>
    <message>
        <source>Attachment</source>
        <translation>Anhang</translation>
    </message>
    <message>
        <source>You: %1</source>
        <translation>Sie: %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
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
<context>
    <name>tidings::app::UserNames</name>
    <message>
        <source>Unknown user</source>
        <translation>Unbekannter Benutzer</translation>
    </message>
</context>
</TS>
