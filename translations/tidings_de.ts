<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <source>Save As</source>
        <translation>Speichern unter</translation>
    </message>
    <message>
        <source>Could not save %1.</source>
        <translation>%1 konnte nicht gespeichert werden.</translation>
    </message>
</context>
<context>
    <name>ServerAddress</name>
    <message>
        <source>Enter the address of a Tidings server.</source>
        <translation>Gib die Adresse eines Tidings-Servers ein.</translation>
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
        <translation>Tidings kann dich auf diesem Computer nicht sicher angemeldet halten.</translation>
    </message>
    <message>
        <source>You can sign in each time you start Tidings, or keep your session in a file that is not encrypted. Only your user account can read it, but anyone with access to your files could use it to read and send your messages:</source>
        <translation>Du kannst dich bei jedem Start von Tidings anmelden oder deine Sitzung in einer unverschlüsselten Datei aufbewahren. Nur dein Benutzerkonto kann sie lesen, aber wer Zugriff auf deine Dateien hat, könnte damit deine Nachrichten lesen und senden:</translation>
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
    <name>media</name>
    <message>
        <source>This is not a picture.</source>
        <translation>Das ist kein Bild.</translation>
    </message>
    <message>
        <source>The picture is too large (%1 × %2).</source>
        <translation>Das Bild ist zu groß (%1 × %2).</translation>
    </message>
    <message>
        <source>The picture cannot be read: %1</source>
        <translation>Das Bild kann nicht gelesen werden: %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::AttachmentMedia</name>
    <message>
        <source>The copy on this computer is damaged.</source>
        <translation>Die Kopie auf diesem Computer ist beschädigt.</translation>
    </message>
</context>
<context>
    <name>tidings::app::ChatClient</name>
    <message>
        <source>The key to the messages kept on this computer is damaged.</source>
        <translation>Der Schlüssel zu den auf diesem Computer gespeicherten Nachrichten ist beschädigt.</translation>
    </message>
</context>
<context>
    <name>tidings::app::ChatPage</name>
    <message>
        <source>Connection status</source>
        <translation>Verbindungsstatus</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>Menü</translation>
    </message>
    <message>
        <source>Filter conversations</source>
        <translation>Unterhaltungen filtern</translation>
    </message>
    <message>
        <source>Filter chats</source>
        <translation>Chats filtern</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>New chat (Ctrl+N)</source>
        <translation>Neuer Chat (Strg+N)</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>Choose a chat on the left, or start a new one.</source>
        <translation>Wähle links einen Chat aus oder starte einen neuen.</translation>
    </message>
    <message>
        <source>Updating…</source>
        <translation>Wird aktualisiert…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Wird verbunden…</translation>
    </message>
    <message>
        <source>Waiting for network — your messages will be sent when the server is back.</source>
        <translation>Warte auf Netzwerk – deine Nachrichten werden gesendet, sobald der Server wieder erreichbar ist.</translation>
    </message>
    <message>
        <source>Signed out.</source>
        <translation>Abgemeldet.</translation>
    </message>
    <message>
        <source>This server needs a newer version of Tidings.</source>
        <translation>Dieser Server benötigt eine neuere Version von Tidings.</translation>
    </message>
    <message>
        <source>No chats yet.
Start one with the pencil above (Ctrl+N).</source>
        <translation>Noch keine Chats.
Starte einen mit dem Stift oben (Strg+N).</translation>
    </message>
</context>
<context>
    <name>tidings::app::Connection</name>
    <message>
        <source>The server&apos;s answer could not be read.</source>
        <translation>Die Antwort des Servers konnte nicht gelesen werden.</translation>
    </message>
</context>
<context>
    <name>tidings::app::ConversationDelegate</name>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 schreibt…</translation>
    </message>
    <message>
        <source>%1 and %2 are typing…</source>
        <translation>%1 und %2 schreiben…</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n others are typing…</source>
        <translation>
            <numerusform>%1 und %n weitere Person schreiben…</numerusform>
            <numerusform>%1 und %n weitere Personen schreiben…</numerusform>
        </translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>schreibt…</translation>
    </message>
    <message>
        <source>Draft:</source>
        <translation>Entwurf:</translation>
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
        <source>You: %1</source>
        <translation>Du: %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n Datei</numerusform>
            <numerusform>%n Dateien</numerusform>
        </translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>Waiting for this message&apos;s key…</source>
        <translation>Warte auf den Schlüssel dieser Nachricht…</translation>
    </message>
    <message>
        <source>This message could not be decrypted.</source>
        <translation>Diese Nachricht konnte nicht entschlüsselt werden.</translation>
    </message>
</context>
<context>
    <name>tidings::app::ConversationView</name>
    <message>
        <source>Conversation name</source>
        <translation>Name der Unterhaltung</translation>
    </message>
    <message>
        <source>Presence</source>
        <translation>Online-Status</translation>
    </message>
    <message>
        <source>Conversation info</source>
        <translation>Infos zur Unterhaltung</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>Jump to the newest message</source>
        <translation>Zur neuesten Nachricht springen</translation>
    </message>
    <message>
        <source>Who is typing</source>
        <translation>Wer gerade schreibt</translation>
    </message>
    <message>
        <source>Cancel reply or edit</source>
        <translation>Antworten oder Bearbeiten abbrechen</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>Abbrechen (Esc)</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>Write a message…</source>
        <translation>Nachricht schreiben…</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Senden (Enter)</translation>
    </message>
    <message>
        <source>Reply to %1: %2</source>
        <translation>Antwort an %1: %2</translation>
    </message>
    <message>
        <source>Editing message</source>
        <translation>Nachricht bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Reply</source>
        <translation>&amp;Antworten</translation>
    </message>
    <message>
        <source>&amp;Copy Text</source>
        <translation>Text &amp;kopieren</translation>
    </message>
    <message>
        <source>Re&amp;act</source>
        <translation>&amp;Reagieren</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Delete for Everyone</source>
        <translation>Für alle &amp;löschen</translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation>Nachricht löschen</translation>
    </message>
    <message>
        <source>Delete this message for everyone?</source>
        <translation>Diese Nachricht für alle löschen?</translation>
    </message>
    <message>
        <source>Try &amp;Again</source>
        <translation>&amp;Erneut versuchen</translation>
    </message>
    <message>
        <source>&amp;Cancel Sending</source>
        <translation>&amp;Senden abbrechen</translation>
    </message>
    <message>
        <source>Re&amp;port…</source>
        <translation>&amp;Melden…</translation>
    </message>
    <message>
        <source>Report message</source>
        <translation>Nachricht melden</translation>
    </message>
    <message>
        <source>What is wrong with this message?</source>
        <translation>Was stimmt mit dieser Nachricht nicht?</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>last seen just now</source>
        <translation>zuletzt online vor einem Moment</translation>
    </message>
    <message numerus="yes">
        <source>last seen %n min ago</source>
        <translation>
            <numerusform>zuletzt online vor %n Min.</numerusform>
            <numerusform>zuletzt online vor %n Min.</numerusform>
        </translation>
    </message>
    <message>
        <source>last seen today at %1</source>
        <translation>zuletzt online heute um %1</translation>
    </message>
    <message>
        <source>last seen yesterday at %1</source>
        <translation>zuletzt online gestern um %1</translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation>zuletzt online am %1</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n Mitglied</numerusform>
            <numerusform>%n Mitglieder</numerusform>
        </translation>
    </message>
    <message>
        <source>notes to self</source>
        <translation>Notizen an mich</translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>schreibt…</translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Notice</source>
        <translation>Hinweis</translation>
    </message>
    <message>
        <source>Reported. Thank you.</source>
        <translation>Gemeldet. Danke!</translation>
    </message>
    <message>
        <source>Could not report it: %1</source>
        <translation>Melden fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Dateien anhängen</translation>
    </message>
    <message>
        <source>Attach files (or drop or paste them here)</source>
        <translation>Dateien anhängen (oder hier ablegen oder einfügen)</translation>
    </message>
    <message>
        <source>Send Files</source>
        <translation>Dateien senden</translation>
    </message>
    <message>
        <source>&amp;Open “%1”</source>
        <translation>„%1“ &amp;öffnen</translation>
    </message>
    <message>
        <source>&amp;Save As…</source>
        <translation>&amp;Speichern unter…</translation>
    </message>
    <message>
        <source>Show in &amp;Folder</source>
        <translation>Im &amp;Ordner zeigen</translation>
    </message>
    <message>
        <source>The pasted picture could not be kept.</source>
        <translation>Das eingefügte Bild konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>&amp;Download “%1”</source>
        <translation>„%1“ &amp;herunterladen</translation>
    </message>
    <message>
        <source>The video cannot be played: %1</source>
        <translation>Das Video kann nicht abgespielt werden: %1</translation>
    </message>
    <message>
        <source>Open a program?</source>
        <translation>Ein Programm öffnen?</translation>
    </message>
    <message>
        <source>“%1” can run a program on this computer. Open it only if you expected this file and trust the person who sent it.</source>
        <translation>„%1“ kann ein Programm auf diesem Computer ausführen. Öffne es nur, wenn du diese Datei erwartet hast und der Person vertraust, die sie geschickt hat.</translation>
    </message>
    <message>
        <source>&amp;Open Anyway</source>
        <translation>Trotzdem &amp;öffnen</translation>
    </message>
    <message>
        <source>You blocked %1. To write again, unblock them with the info button above.</source>
        <translation>Du hast %1 blockiert. Um wieder zu schreiben, hebe die Blockierung über die Info-Schaltfläche oben auf.</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Blockiert</translation>
    </message>
    <message>
        <source>&amp;Edit and Send Again</source>
        <translation>&amp;Bearbeiten und erneut senden</translation>
    </message>
    <message>
        <source>Retr&amp;y Change</source>
        <translation>Änderung &amp;wiederholen</translation>
    </message>
    <message>
        <source>D&amp;iscard Change</source>
        <translation>Änderung &amp;verwerfen</translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation>&amp;Überprüfen</translation>
    </message>
    <message>
        <source>Verify the new safety number</source>
        <translation>Die neue Sicherheitsnummer überprüfen</translation>
    </message>
    <message>
        <source>I &amp;understand</source>
        <translation>&amp;Verstanden</translation>
    </message>
    <message>
        <source>Accept the new safety number</source>
        <translation>Die neue Sicherheitsnummer annehmen</translation>
    </message>
    <message>
        <source>%1&apos;s safety number has changed. This can mean they reinstalled Tidings or that someone is trying to intercept your messages.</source>
        <translation>Die Sicherheitsnummer von %1 hat sich geändert. Das kann bedeuten, dass Tidings neu installiert wurde oder dass jemand versucht, deine Nachrichten abzufangen.</translation>
    </message>
    <message>
        <source>End-to-end encrypted</source>
        <translation>Ende-zu-Ende-verschlüsselt</translation>
    </message>
    <message>
        <source>Not end-to-end encrypted</source>
        <translation>Nicht Ende-zu-Ende-verschlüsselt</translation>
    </message>
    <message>
        <source>Messages in this chat so far were sent without end-to-end encryption: the server could read them.</source>
        <translation>Die bisherigen Nachrichten in diesem Chat wurden ohne Ende-zu-Ende-Verschlüsselung gesendet: Der Server konnte sie lesen.</translation>
    </message>
    <message>
        <source>Could not accept the new safety number: %1</source>
        <translation>Die neue Sicherheitsnummer konnte nicht angenommen werden: %1</translation>
    </message>
    <message>
        <source>Messages in this chat are end-to-end encrypted. Only the people in it can read them.</source>
        <translation>Nachrichten in diesem Chat sind Ende-zu-Ende-verschlüsselt. Nur die Personen darin können sie lesen.</translation>
    </message>
    <message>
        <source>You have verified %1&apos;s safety number.</source>
        <translation>Du hast die Sicherheitsnummer von %1 überprüft.</translation>
    </message>
    <message>
        <source>Older messages, above the line that says so, were not encrypted.</source>
        <translation>Ältere Nachrichten oberhalb der entsprechenden Linie wurden nicht verschlüsselt.</translation>
    </message>
    <message>
        <source>The file cannot be opened: %1</source>
        <translation>Die Datei kann nicht geöffnet werden: %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::DevicesSection</name>
    <message>
        <source>This device</source>
        <translation>Dieses Gerät</translation>
    </message>
    <message>
        <source>added %1</source>
        <translation>hinzugefügt am %1</translation>
    </message>
    <message>
        <source>Added %1</source>
        <translation>Hinzugefügt am %1</translation>
    </message>
    <message>
        <source>Your devices</source>
        <translation>Deine Geräte</translation>
    </message>
    <message>
        <source>Use your account, with its encrypted messages, on another phone or computer</source>
        <translation>Dein Konto mit seinen verschlüsselten Nachrichten auf einem weiteren Telefon oder Computer nutzen</translation>
    </message>
    <message>
        <source>To link devices, this device must encrypt: turn on encryption above.</source>
        <translation>Um Geräte zu verknüpfen, muss dieses Gerät verschlüsseln: Schalte oben die Verschlüsselung ein.</translation>
    </message>
    <message>
        <source>Link this device first: type the code from one of your other devices at the top of the chat window.</source>
        <translation>Verknüpfe zuerst dieses Gerät: Gib oben im Chatfenster den Code von einem deiner anderen Geräte ein.</translation>
    </message>
    <message>
        <source>Could not load your devices: %1</source>
        <translation>Deine Geräte konnten nicht geladen werden: %1</translation>
    </message>
    <message>
        <source>No device of yours encrypts messages yet.</source>
        <translation>Noch keines deiner Geräte verschlüsselt Nachrichten.</translation>
    </message>
    <message>
        <source>Unnamed device</source>
        <translation>Unbenanntes Gerät</translation>
    </message>
    <message>
        <source>Remove this device</source>
        <translation>Dieses Gerät entfernen</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>%1 entfernen</translation>
    </message>
    <message>
        <source>Remove Device</source>
        <translation>Gerät entfernen</translation>
    </message>
    <message>
        <source>Remove %1? It will be signed out and will not read new messages.</source>
        <translation>%1 entfernen? Es wird abgemeldet und kann keine neuen Nachrichten mehr lesen.</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Removing %1…</source>
        <translation>%1 wird entfernt…</translation>
    </message>
    <message>
        <source>%1 was removed.</source>
        <translation>%1 wurde entfernt.</translation>
    </message>
    <message>
        <source>%1 was not removed: %2</source>
        <translation>%1 wurde nicht entfernt: %2</translation>
    </message>
    <message>
        <source>Link a new &amp;device…</source>
        <translation>Neues Gerät &amp;verknüpfen…</translation>
    </message>
</context>
<context>
    <name>tidings::app::E2eEngine</name>
    <message>
        <source>This server does not support end-to-end encryption.</source>
        <translation>Dieser Server unterstützt keine Ende-zu-Ende-Verschlüsselung.</translation>
    </message>
    <message>
        <source>The other device stopped linking.</source>
        <translation>Das andere Gerät hat das Verknüpfen abgebrochen.</translation>
    </message>
    <message>
        <source>This device is not set up for encryption yet.</source>
        <translation>Dieses Gerät ist noch nicht für die Verschlüsselung eingerichtet.</translation>
    </message>
    <message>
        <source>The connection dropped; try again.</source>
        <translation>Die Verbindung wurde unterbrochen. Versuche es noch einmal.</translation>
    </message>
    <message>
        <source>The code was wrong; linking stopped.</source>
        <translation>Der Code war falsch, das Verknüpfen wurde abgebrochen.</translation>
    </message>
    <message>
        <source>%1 is linked.</source>
        <translation>%1 ist verknüpft.</translation>
    </message>
    <message>
        <source>Linking was cancelled.</source>
        <translation>Das Verknüpfen wurde abgebrochen.</translation>
    </message>
    <message>
        <source>This device does not need linking.</source>
        <translation>Dieses Gerät muss nicht verknüpft werden.</translation>
    </message>
    <message>
        <source>This device is linking already.</source>
        <translation>Dieses Gerät wird bereits verknüpft.</translation>
    </message>
    <message>
        <source>No device is offering to link. On the other device, choose Link a new device first.</source>
        <translation>Kein Gerät bietet eine Verknüpfung an. Wähle zuerst auf dem anderen Gerät „Neues Gerät verknüpfen“.</translation>
    </message>
    <message>
        <source>This code is for another device.</source>
        <translation>Dieser Code ist für ein anderes Gerät.</translation>
    </message>
    <message>
        <source>The link code expired. Start again.</source>
        <translation>Der Verknüpfungscode ist abgelaufen. Beginne von vorn.</translation>
    </message>
    <message>
        <source>The connection dropped.</source>
        <translation>Die Verbindung wurde unterbrochen.</translation>
    </message>
    <message>
        <source>This account has no devices.</source>
        <translation>Dieses Konto hat keine Geräte.</translation>
    </message>
    <message>
        <source>The other device stopped linking: the code may have been wrong. Start again on the other device.</source>
        <translation>Das andere Gerät hat die Verknüpfung beendet: Vielleicht war der Code falsch. Beginne auf dem anderen Gerät von vorn.</translation>
    </message>
</context>
<context>
    <name>tidings::app::GroupInfoDialog</name>
    <message>
        <source>Group Info</source>
        <translation>Gruppeninfo</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Gruppenname</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>&amp;Umbenennen</translation>
    </message>
    <message>
        <source>Rename the group</source>
        <translation>Gruppe umbenennen</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>&amp;Add Members…</source>
        <translation>Mitglieder &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Add members</source>
        <translation>Mitglieder hinzufügen</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Remove the chosen member</source>
        <translation>Ausgewähltes Mitglied entfernen</translation>
    </message>
    <message>
        <source>&amp;Leave Group</source>
        <translation>Gruppe &amp;verlassen</translation>
    </message>
    <message>
        <source>Leave the group</source>
        <translation>Gruppe verlassen</translation>
    </message>
    <message>
        <source>Leave group</source>
        <translation>Gruppe verlassen</translation>
    </message>
    <message>
        <source>Leave this group?</source>
        <translation>Diese Gruppe verlassen?</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (du)</translation>
    </message>
    <message>
        <source>owner</source>
        <translation>Inhaber</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>Admin</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>Wird bearbeitet…</translation>
    </message>
    <message>
        <source>&amp;Verify Safety Number…</source>
        <translation>Sicherheitsnummer &amp;überprüfen…</translation>
    </message>
    <message>
        <source>Verify the chosen member&apos;s safety number</source>
        <translation>Die Sicherheitsnummer des gewählten Mitglieds überprüfen</translation>
    </message>
</context>
<context>
    <name>tidings::app::ImageViewer</name>
    <message>
        <source>Zoom out (−)</source>
        <translation>Verkleinern (−)</translation>
    </message>
    <message>
        <source>Zoom in (+)</source>
        <translation>Vergrößern (+)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Fit to window (0)</source>
        <translation>An Fenster anpassen (0)</translation>
    </message>
    <message>
        <source>Actual size (1)</source>
        <translation>Originalgröße (1)</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>Speichern unter…</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>Eine Kopie speichern</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
</context>
<context>
    <name>tidings::app::LinkDeviceDialog</name>
    <message>
        <source>That is not your password. Try again.</source>
        <translation>Das ist nicht dein Passwort. Versuche es erneut.</translation>
    </message>
    <message>
        <source>Too many attempts. Wait a minute, then try again.</source>
        <translation>Zu viele Versuche. Warte eine Minute und versuche es dann erneut.</translation>
    </message>
    <message>
        <source>The connection to the server was lost. Try again.</source>
        <translation>Die Verbindung zum Server wurde unterbrochen. Versuche es erneut.</translation>
    </message>
    <message>
        <source>Link a New Device</source>
        <translation>Neues Gerät verknüpfen</translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation>&amp;Weiter</translation>
    </message>
    <message>
        <source>&amp;Link</source>
        <translation>&amp;Verknüpfen</translation>
    </message>
    <message>
        <source>Link a new device to your account</source>
        <translation>Ein neues Gerät mit deinem Konto verknüpfen</translation>
    </message>
    <message>
        <source>Enter your password to get a link code for your new device. Your password is needed so that a session left open cannot hand your keys away.</source>
        <translation>Gib dein Passwort ein, um einen Verknüpfungscode für dein neues Gerät zu erhalten. Dein Passwort wird benötigt, damit eine offen gelassene Sitzung deine Schlüssel nicht weitergeben kann.</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>On your new device, sign in and type this code. It works for 10 minutes.</source>
        <translation>Melde dich auf deinem neuen Gerät an und gib diesen Code ein. Er gilt 10 Minuten lang.</translation>
    </message>
    <message>
        <source>Link code</source>
        <translation>Verknüpfungscode</translation>
    </message>
    <message>
        <source>Waiting for your new device… Keep this window open until it is linked. Never give this code to anyone.</source>
        <translation>Warte auf dein neues Gerät… Lass dieses Fenster offen, bis es verknüpft ist. Gib diesen Code niemals an andere weiter.</translation>
    </message>
    <message>
        <source>It will read your encrypted messages, old and new, and send messages as you. Link it only if it is the device you just typed the code on.</source>
        <translation>Es kann deine verschlüsselten Nachrichten lesen, alte wie neue, und in deinem Namen Nachrichten senden. Verknüpfe es nur, wenn es das Gerät ist, auf dem du gerade den Code eingegeben hast.</translation>
    </message>
    <message>
        <source>Linking…</source>
        <translation>Wird verknüpft…</translation>
    </message>
    <message>
        <source>Checking your password…</source>
        <translation>Dein Passwort wird geprüft…</translation>
    </message>
    <message>
        <source>Link %1?</source>
        <translation>%1 verknüpfen?</translation>
    </message>
    <message>
        <source>Not linked. %1</source>
        <translation>Nicht verknüpft. %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::LinkPrompt</name>
    <message>
        <source>Link this device</source>
        <translation>Dieses Gerät verknüpfen</translation>
    </message>
    <message>
        <source>This account is used on another device. To read and send encrypted messages here, link this device: on the other device open Settings → Devices → Link a new device, then type the code shown there.</source>
        <translation>Dieses Konto wird auf einem anderen Gerät verwendet. Um hier verschlüsselte Nachrichten zu lesen und zu senden, verknüpfe dieses Gerät: Öffne auf dem anderen Gerät Einstellungen → Geräte → Neues Gerät verknüpfen und gib dann den dort angezeigten Code ein.</translation>
    </message>
    <message>
        <source>Link code</source>
        <translation>Verknüpfungscode</translation>
    </message>
    <message>
        <source>&amp;Link</source>
        <translation>&amp;Verknüpfen</translation>
    </message>
    <message>
        <source>Linking… Confirm on your other device.</source>
        <translation>Wird verknüpft… Bestätige auf deinem anderen Gerät.</translation>
    </message>
    <message>
        <source>Not linked: %1</source>
        <translation>Nicht verknüpft: %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::MainWindow</name>
    <message>
        <source>Tidings</source>
        <translation>Tidings</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>&amp;Unmute</source>
        <translation>Stummschaltung &amp;aufheben</translation>
    </message>
    <message>
        <source>&amp;Mute Notifications</source>
        <translation>Benachrichtigungen &amp;stummschalten</translation>
    </message>
    <message>
        <source>New &amp;Chat…</source>
        <translation>Neuer &amp;Chat…</translation>
    </message>
    <message>
        <source>New &amp;Group…</source>
        <translation>Neue &amp;Gruppe…</translation>
    </message>
    <message>
        <source>&amp;Search Messages…</source>
        <translation>Nachrichten &amp;suchen…</translation>
    </message>
    <message>
        <source>&amp;Go to Chat…</source>
        <translation>&amp;Zu Chat wechseln…</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Block %1</source>
        <translation>%1 &amp;blockieren</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>Blockieren</translation>
    </message>
    <message>
        <source>Block %1? Neither of you will be able to message the other.</source>
        <translation>%1 blockieren? Ihr könnt euch dann gegenseitig keine Nachrichten mehr schreiben.</translation>
    </message>
    <message>
        <source>&amp;Report %1…</source>
        <translation>%1 &amp;melden…</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Melden</translation>
    </message>
    <message>
        <source>What is wrong?</source>
        <translation>Was ist das Problem?</translation>
    </message>
    <message>
        <source>&amp;Unblock %1</source>
        <translation>Blockierung von %1 &amp;aufheben</translation>
    </message>
    <message>
        <source>&amp;Verify Safety Number…</source>
        <translation>Sicherheitsnummer &amp;überprüfen…</translation>
    </message>
</context>
<context>
    <name>tidings::app::MessageDelegate</name>
    <message>
        <source>Not sent: %1</source>
        <translation>Nicht gesendet: %1</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Wartet auf Versand</translation>
    </message>
    <message>
        <source>Read by %1 of %2</source>
        <translation>Gelesen: %1 von %2</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation>Nachricht gelöscht</translation>
    </message>
    <message>
        <source>edited %1</source>
        <translation>bearbeitet %1</translation>
    </message>
    <message>
        <source>New messages</source>
        <translation>Neue Nachrichten</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Download failed: %1</source>
        <translation>Download fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>Messages above were not end-to-end encrypted. New messages are.</source>
        <translation>Die Nachrichten oben wurden nicht Ende-zu-Ende-verschlüsselt. Neue Nachrichten sind es.</translation>
    </message>
    <message>
        <source>Waiting for this message&apos;s key…</source>
        <translation>Warte auf den Schlüssel dieser Nachricht…</translation>
    </message>
    <message>
        <source>This message could not be decrypted.</source>
        <translation>Diese Nachricht konnte nicht entschlüsselt werden.</translation>
    </message>
    <message>
        <source>Verify safety number</source>
        <translation>Sicherheitsnummer verifizieren</translation>
    </message>
</context>
<context>
    <name>tidings::app::MessageListModel</name>
    <message>
        <source>Deleted message</source>
        <translation>Gelöschte Nachricht</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>%1 started the conversation</source>
        <translation>%1 hat die Unterhaltung begonnen</translation>
    </message>
    <message>
        <source>%1 created the group “%2”</source>
        <translation>%1 hat die Gruppe „%2“ erstellt</translation>
    </message>
    <message>
        <source>%1 added %2</source>
        <translation>%1 hat %2 hinzugefügt</translation>
    </message>
    <message>
        <source>%1 removed %2</source>
        <translation>%1 hat %2 entfernt</translation>
    </message>
    <message>
        <source>%1 left the group</source>
        <translation>%1 hat die Gruppe verlassen</translation>
    </message>
    <message>
        <source>%1 renamed the group to “%2”</source>
        <translation>%1 hat die Gruppe in „%2“ umbenannt</translation>
    </message>
    <message>
        <source>%1 made %2 the owner</source>
        <translation>%1 hat %2 zum Eigentümer gemacht</translation>
    </message>
    <message>
        <source>%1 made %2 an admin</source>
        <translation>%1 hat %2 zum Admin gemacht</translation>
    </message>
    <message>
        <source>%1 made %2 a member</source>
        <translation>%1 hat %2 zum Mitglied gemacht</translation>
    </message>
    <message>
        <source>You started the conversation</source>
        <translation>Du hast die Unterhaltung begonnen</translation>
    </message>
    <message>
        <source>You created the group “%1”</source>
        <translation>Du hast die Gruppe „%1“ erstellt</translation>
    </message>
    <message>
        <source>You added %1</source>
        <translation>Du hast %1 hinzugefügt</translation>
    </message>
    <message>
        <source>%1 removed you</source>
        <translation>%1 hat dich entfernt</translation>
    </message>
    <message>
        <source>You removed %1</source>
        <translation>Du hast %1 entfernt</translation>
    </message>
    <message>
        <source>You left the group</source>
        <translation>Du hast die Gruppe verlassen</translation>
    </message>
    <message>
        <source>You renamed the group to “%1”</source>
        <translation>Du hast die Gruppe in „%1“ umbenannt</translation>
    </message>
    <message>
        <source>You made %1 the owner</source>
        <translation>Du hast %1 zum Eigentümer gemacht</translation>
    </message>
    <message>
        <source>You made %1 an admin</source>
        <translation>Du hast %1 zum Admin gemacht</translation>
    </message>
    <message>
        <source>You made %1 a member</source>
        <translation>Du hast %1 zum Mitglied gemacht</translation>
    </message>
    <message>
        <source>Something happened here that this version of Tidings cannot show</source>
        <translation>Hier ist etwas passiert, das diese Version von Tidings nicht anzeigen kann</translation>
    </message>
    <message>
        <source>Your edit was not sent: %1</source>
        <translation>Deine Bearbeitung wurde nicht gesendet: %1</translation>
    </message>
    <message>
        <source>Not deleted: %1</source>
        <translation>Nicht gelöscht: %1</translation>
    </message>
    <message>
        <source>Your reaction was not sent: %1</source>
        <translation>Deine Reaktion wurde nicht gesendet: %1</translation>
    </message>
    <message>
        <source>Activate it to compare safety numbers.</source>
        <translation>Aktivieren, um die Sicherheitsnummern zu vergleichen.</translation>
    </message>
    <message>
        <source>%1&apos;s safety number has changed.</source>
        <translation>Die Sicherheitsnummer von %1 hat sich geändert.</translation>
    </message>
</context>
<context>
    <name>tidings::app::Notifier</name>
    <message>
        <source>Tidings</source>
        <translation>Tidings</translation>
    </message>
    <message>
        <source>Show Tidings</source>
        <translation>Tidings anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message numerus="yes">
        <source>Tidings — %n unread</source>
        <translation>
            <numerusform>Tidings – %n ungelesen</numerusform>
            <numerusform>Tidings – %n ungelesen</numerusform>
        </translation>
    </message>
    <message>
        <source>Tidings (%1)</source>
        <translation>Tidings (%1)</translation>
    </message>
</context>
<context>
    <name>tidings::app::Outbox</name>
    <message>
        <source>Too long to send: %1 KB of text, and this server takes up to %2 KB. Copy it, or edit it shorter or send it as a file.</source>
        <translation>Zu lang zum Senden: %1 KB Text, dieser Server nimmt höchstens %2 KB an. Kopiere ihn, kürze ihn oder sende ihn als Datei.</translation>
    </message>
</context>
<context>
    <name>tidings::app::PeopleDialog</name>
    <message>
        <source>New Chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>New Group</source>
        <translation>Neue Gruppe</translation>
    </message>
    <message>
        <source>Add Members</source>
        <translation>Mitglieder hinzufügen</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Gruppenname</translation>
    </message>
    <message>
        <source>Find people by username</source>
        <translation>Personen nach Benutzernamen suchen</translation>
    </message>
    <message>
        <source>People found</source>
        <translation>Gefundene Personen</translation>
    </message>
    <message>
        <source>&amp;Message</source>
        <translation>&amp;Nachricht schreiben</translation>
    </message>
    <message>
        <source>&amp;Create Group</source>
        <translation>Gruppe &amp;erstellen</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche läuft…</translation>
    </message>
    <message>
        <source>Could not search: %1</source>
        <translation>Suche fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Nobody found.</source>
        <translation>Niemanden gefunden.</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>Wird bearbeitet…</translation>
    </message>
</context>
<context>
    <name>tidings::app::QuickSwitcher</name>
    <message>
        <source>Go to Chat</source>
        <translation>Zu Chat wechseln</translation>
    </message>
    <message>
        <source>Chat name</source>
        <translation>Chatname</translation>
    </message>
    <message>
        <source>Go to chat…</source>
        <translation>Zu Chat wechseln…</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Chats</translation>
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
    <name>tidings::app::SafetyNumberDialog</name>
    <message>
        <source>Safety Number</source>
        <translation>Sicherheitsnummer</translation>
    </message>
    <message>
        <source>Your safety number with %1</source>
        <translation>Deine Sicherheitsnummer mit %1</translation>
    </message>
    <message>
        <source>Safety number</source>
        <translation>Sicherheitsnummer</translation>
    </message>
    <message>
        <source>Compare these numbers with the ones %1 sees in Tidings, in person or on a call. If every group matches, your messages reach %1 and no one else: mark the number as verified.</source>
        <translation>Vergleiche diese Zahlen mit denen, die %1 in Tidings sieht – persönlich oder bei einem Anruf. Wenn jede Gruppe übereinstimmt, erreichen deine Nachrichten %1 und niemanden sonst: Markiere die Nummer dann als überprüft.</translation>
    </message>
    <message>
        <source>I understand</source>
        <translation>Verstanden</translation>
    </message>
    <message>
        <source>Accept the new safety number</source>
        <translation>Die neue Sicherheitsnummer annehmen</translation>
    </message>
    <message>
        <source>&amp;Mark as verified</source>
        <translation>Als überprüft &amp;markieren</translation>
    </message>
    <message>
        <source>Mark the safety number as verified</source>
        <translation>Die Sicherheitsnummer als überprüft markieren</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>The safety number could not be read: %1</source>
        <translation>Die Sicherheitsnummer konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1&apos;s safety number has changed. This can mean they reinstalled Tidings or that someone is trying to intercept your messages. Compare the new number below with the one %1 sees, then choose “I understand”; messages waiting for %1 are sent then.</source>
        <translation>Die Sicherheitsnummer von %1 hat sich geändert. Das kann bedeuten, dass Tidings neu installiert wurde oder dass jemand versucht, deine Nachrichten abzufangen. Vergleiche die neue Nummer unten mit der, die %1 sieht, und wähle dann „Verstanden“; Nachrichten, die auf %1 warten, werden dann gesendet.</translation>
    </message>
    <message>
        <source>There is no safety number with %1 yet. It shows once one of you has sent the other an encrypted message.</source>
        <translation>Es gibt noch keine Sicherheitsnummer mit %1. Sie erscheint, sobald einer von euch dem anderen eine verschlüsselte Nachricht gesendet hat.</translation>
    </message>
    <message>
        <source>Not verified.</source>
        <translation>Nicht überprüft.</translation>
    </message>
    <message>
        <source>Verified: you compared this number with %1.</source>
        <translation>Überprüft: Du hast diese Nummer mit %1 verglichen.</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>Noch nicht überprüft.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Safety number QR code</source>
        <translation>QR-Code der Sicherheitsnummer</translation>
    </message>
    <message>
        <source>Your safety number with %1 as a QR code</source>
        <translation>Deine Sicherheitsnummer mit %1 als QR-Code</translation>
    </message>
</context>
<context>
    <name>tidings::app::SearchDialog</name>
    <message>
        <source>Search Messages</source>
        <translation>Nachrichten suchen</translation>
    </message>
    <message>
        <source>Search messages</source>
        <translation>Nachrichten suchen</translation>
    </message>
    <message>
        <source>Search messages in all chats</source>
        <translation>Nachrichten in allen Chats suchen</translation>
    </message>
    <message>
        <source>Messages found</source>
        <translation>Gefundene Nachrichten</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) found</source>
        <translation>
            <numerusform>%n Nachricht gefunden</numerusform>
            <numerusform>%n Nachrichten gefunden</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tidings::app::SendFilesDialog</name>
    <message numerus="yes">
        <source>Send %n picture(s)</source>
        <translation>
            <numerusform>%n Bild senden</numerusform>
            <numerusform>%n Bilder senden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Send %n file(s)</source>
        <translation>
            <numerusform>%n Datei senden</numerusform>
            <numerusform>%n Dateien senden</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 × %2, %3</source>
        <translation>%1 × %2, %3</translation>
    </message>
    <message>
        <source>Add a caption…</source>
        <translation>Bildunterschrift hinzufügen…</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>Beschriftung</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
</context>
<context>
    <name>tidings::app::Session</name>
    <message>
        <source>Your session ended. Please sign in again.</source>
        <translation>Deine Sitzung wurde beendet. Bitte melde dich erneut an.</translation>
    </message>
    <message>
        <source>Your session ended: %1</source>
        <translation>Deine Sitzung wurde beendet: %1</translation>
    </message>
    <message>
        <source>The messages kept on this computer could not be opened: %1</source>
        <translation>Die auf diesem Computer gespeicherten Nachrichten konnten nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>Enter your username.</source>
        <translation>Gib deinen Benutzernamen ein.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Gib dein Passwort ein.</translation>
    </message>
    <message>
        <source>The server did not answer in time. Check the address and your connection, then try again.</source>
        <translation>Der Server hat nicht rechtzeitig geantwortet. Prüfe die Adresse und deine Verbindung und versuche es dann erneut.</translation>
    </message>
    <message>
        <source>This server runs a version of Tidings this app cannot talk to. Update the app, or ask the server&apos;s admin.</source>
        <translation>Auf diesem Server läuft eine Tidings-Version, mit der diese App nicht kommunizieren kann. Aktualisiere die App oder frag den Admin des Servers.</translation>
    </message>
    <message>
        <source>The server %1 could not be reached.</source>
        <translation>Der Server %1 ist nicht erreichbar.</translation>
    </message>
    <message>
        <source>Wrong username or password.</source>
        <translation>Falscher Benutzername oder falsches Passwort.</translation>
    </message>
    <message>
        <source>That username is taken. Choose another one.</source>
        <translation>Dieser Benutzername ist schon vergeben. Wähle einen anderen.</translation>
    </message>
    <message>
        <source>This server does not accept new accounts. Ask its admin for one.</source>
        <translation>Dieser Server nimmt keine neuen Konten an. Frag den Admin nach einem Konto.</translation>
    </message>
    <message>
        <source>This account cannot sign in: %1</source>
        <translation>Mit diesem Konto ist keine Anmeldung möglich: %1</translation>
    </message>
    <message>
        <source>Too many attempts. Wait a minute, then try again.</source>
        <translation>Zu viele Versuche. Warte eine Minute und versuche es dann erneut.</translation>
    </message>
    <message>
        <source>The connection to the server was lost. Try again.</source>
        <translation>Die Verbindung zum Server wurde unterbrochen. Versuche es erneut.</translation>
    </message>
    <message>
        <source>The server could not sign you in: %1</source>
        <translation>Der Server konnte dich nicht anmelden: %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Wie im System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Design:</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>Textgröße</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>Text &amp;size:</source>
        <translation>&amp;Textgröße:</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>A new language shows after Tidings restarts.</source>
        <translation>Eine neue Sprache wird nach dem Neustart von Tidings angezeigt.</translation>
    </message>
    <message>
        <source>Show a &amp;notification for new messages</source>
        <translation>Bei neuen Nachrichten &amp;benachrichtigen</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Benachrichtigungen</translation>
    </message>
    <message>
        <source>Notifications:</source>
        <translation>Benachrichtigungen:</translation>
    </message>
    <message>
        <source>Play a s&amp;ound</source>
        <translation>T&amp;on abspielen</translation>
    </message>
    <message>
        <source>Notification sound</source>
        <translation>Benachrichtigungston</translation>
    </message>
    <message>
        <source>&amp;Hide when I was last online</source>
        <translation>Verbergen, wann ich &amp;zuletzt online war</translation>
    </message>
    <message>
        <source>Hide my last seen time</source>
        <translation>Verbergen, wann ich zuletzt online war</translation>
    </message>
    <message>
        <source>Privacy:</source>
        <translation>Privatsphäre:</translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Let others see when I have &amp;read their messages</source>
        <translation>Andere sehen lassen, wann ich ihre Nachrichten &amp;gelesen habe</translation>
    </message>
    <message>
        <source>Send read receipts</source>
        <translation>Lesebestätigungen senden</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Wird gezählt…</translation>
    </message>
    <message>
        <source>&amp;Clear</source>
        <translation>&amp;Leeren</translation>
    </message>
    <message>
        <source>Clear downloaded files</source>
        <translation>Heruntergeladene Dateien entfernen</translation>
    </message>
    <message>
        <source>Remove downloaded files (they download again when needed)</source>
        <translation>Heruntergeladene Dateien entfernen (sie werden bei Bedarf erneut geladen)</translation>
    </message>
    <message>
        <source>Downloads:</source>
        <translation>Downloads:</translation>
    </message>
    <message>
        <source>Space for downloaded files</source>
        <translation>Platz für heruntergeladene Dateien</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Keep at &amp;most:</source>
        <translation>&amp;Höchstens behalten:</translation>
    </message>
    <message>
        <source>%1 of downloaded files</source>
        <translation>%1 an heruntergeladenen Dateien</translation>
    </message>
    <message>
        <source>Who can add me to groups</source>
        <translation>Wer mich zu Gruppen hinzufügen darf</translation>
    </message>
    <message>
        <source>Anyone can add me</source>
        <translation>Alle dürfen mich hinzufügen</translation>
    </message>
    <message>
        <source>Only people I have written to can add me</source>
        <translation>Nur Leute, denen ich geschrieben habe, dürfen mich hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Groups:</source>
        <translation>&amp;Gruppen:</translation>
    </message>
    <message>
        <source>&amp;Encrypt my messages end to end</source>
        <translation>Meine Nachrichten Ende-zu-Ende-v&amp;erschlüsseln</translation>
    </message>
    <message>
        <source>End-to-end encryption</source>
        <translation>Ende-zu-Ende-Verschlüsselung</translation>
    </message>
    <message>
        <source>Only the people in a chat can read its messages and files: not the server, nor its admins.</source>
        <translation>Nur die Personen in einem Chat können seine Nachrichten und Dateien lesen – weder der Server noch seine Admins.</translation>
    </message>
    <message>
        <source>Encryption:</source>
        <translation>Verschlüsselung:</translation>
    </message>
    <message>
        <source>Messages from this device are not end-to-end encrypted.</source>
        <translation>Nachrichten von diesem Gerät werden nicht Ende-zu-Ende-verschlüsselt.</translation>
    </message>
    <message>
        <source>Setting this device up for encryption…</source>
        <translation>Dieses Gerät wird für die Verschlüsselung eingerichtet…</translation>
    </message>
    <message>
        <source>This device is set up for encryption.</source>
        <translation>Dieses Gerät ist für die Verschlüsselung eingerichtet.</translation>
    </message>
    <message>
        <source>Encryption is not working: %1</source>
        <translation>Die Verschlüsselung funktioniert nicht: %1</translation>
    </message>
    <message>
        <source>Your choice applies the next time Tidings starts.</source>
        <translation>Deine Wahl gilt ab dem nächsten Start von Tidings.</translation>
    </message>
    <message>
        <source>Your account already encrypts on another device. Link this device with the code from that one: see the top of the chat window.</source>
        <translation>Dein Konto verschlüsselt bereits auf einem anderen Gerät. Verknüpfe dieses Gerät mit dem Code von dort: siehe oben im Chatfenster.</translation>
    </message>
    <message>
        <source>Devices:</source>
        <translation>Geräte:</translation>
    </message>
    <message>
        <source>This server requires end-to-end encryption.</source>
        <translation>Dieser Server verlangt Ende-zu-Ende-Verschlüsselung.</translation>
    </message>
</context>
<context>
    <name>tidings::app::SignInPage</name>
    <message>
        <source>Chat that is never lost.</source>
        <translation>Chats, die nie verloren gehen.</translation>
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
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>Your name as others see it</source>
        <translation>Dein Name, wie andere ihn sehen</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>Your &amp;name:</source>
        <translation>Dein &amp;Name:</translation>
    </message>
    <message>
        <source>I am new here: create an &amp;account</source>
        <translation>Ich bin neu hier: &amp;Konto erstellen</translation>
    </message>
    <message>
        <source>Create a new account</source>
        <translation>Neues Konto erstellen</translation>
    </message>
    <message>
        <source>Sign-in status</source>
        <translation>Anmeldestatus</translation>
    </message>
    <message>
        <source>Create your account</source>
        <translation>Erstelle dein Konto</translation>
    </message>
    <message>
        <source>Sign in to Tidings</source>
        <translation>Bei Tidings anmelden</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Create &amp;Account</source>
        <translation>Konto &amp;erstellen</translation>
    </message>
    <message>
        <source>Sign &amp;In</source>
        <translation>&amp;Anmelden</translation>
    </message>
    <message>
        <source>Cancel signing in</source>
        <translation>Anmeldung abbrechen</translation>
    </message>
    <message>
        <source>Create account</source>
        <translation>Konto erstellen</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Creating your account…</source>
        <translation>Dein Konto wird erstellt…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Anmeldung läuft…</translation>
    </message>
</context>
<context>
    <name>tidings::app::TransferJobs</name>
    <message>
        <source>The file is damaged and could not be decrypted.</source>
        <translation>Die Datei ist beschädigt und konnte nicht entschlüsselt werden.</translation>
    </message>
</context>
<context>
    <name>tidings::app::UserNames</name>
    <message>
        <source>Unknown user</source>
        <translation>Unbekannter Benutzer</translation>
    </message>
</context>
<context>
    <name>tidings::app::VideoPlayer</name>
    <message>
        <source>Position</source>
        <translation>Position</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>Lautstärke</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
    <message>
        <source>The video cannot be played: %1</source>
        <translation>Das Video kann nicht abgespielt werden: %1</translation>
    </message>
</context>
</TS>
