<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>QObject</name>
    <message>
        <source>Save As</source>
        <translation>Guardar como</translation>
    </message>
    <message>
        <source>Could not save %1.</source>
        <translation>No se pudo guardar %1.</translation>
    </message>
</context>
<context>
    <name>ServerAddress</name>
    <message>
        <source>Enter the address of a Tidings server.</source>
        <translation>Introduce la dirección de un servidor de Tidings.</translation>
    </message>
    <message>
        <source>“%1” is not a server address.</source>
        <translation>“%1” no es una dirección de servidor.</translation>
    </message>
    <message>
        <source>Server addresses start with https:// or http://, not %1://.</source>
        <translation>Las direcciones de servidor empiezan por https:// o http://, no por %1://.</translation>
    </message>
    <message>
        <source>A server address must not contain a user name or password.</source>
        <translation>Una dirección de servidor no puede contener un nombre de usuario ni una contraseña.</translation>
    </message>
</context>
<context>
    <name>TokenStorageChoice</name>
    <message>
        <source>No keychain</source>
        <translation>Sin llavero</translation>
    </message>
    <message>
        <source>Tidings cannot keep you signed in safely on this computer.</source>
        <translation>Tidings no puede mantener tu sesión iniciada de forma segura en este ordenador.</translation>
    </message>
    <message>
        <source>You can sign in each time you start Tidings, or keep your session in a file that is not encrypted. Only your user account can read it, but anyone with access to your files could use it to read and send your messages:</source>
        <translation>Puedes iniciar sesión cada vez que abras Tidings o guardar tu sesión en un archivo sin cifrar. Solo tu cuenta de usuario puede leerlo, pero cualquiera con acceso a tus archivos podría usarlo para leer y enviar tus mensajes:</translation>
    </message>
    <message>
        <source>Sign In Each Time</source>
        <translation>Iniciar sesión cada vez</translation>
    </message>
    <message>
        <source>Sign in each time, keep nothing on disk</source>
        <translation>Iniciar sesión cada vez, sin guardar nada en el disco</translation>
    </message>
    <message>
        <source>Keep Me Signed In (File)</source>
        <translation>Mantener la sesión (archivo)</translation>
    </message>
    <message>
        <source>Keep the session in an unencrypted file</source>
        <translation>Guardar la sesión en un archivo sin cifrar</translation>
    </message>
</context>
<context>
    <name>media</name>
    <message>
        <source>This is not a picture.</source>
        <translation>Esto no es una imagen.</translation>
    </message>
    <message>
        <source>The picture is too large (%1 × %2).</source>
        <translation>La imagen es demasiado grande (%1 × %2).</translation>
    </message>
    <message>
        <source>The picture cannot be read: %1</source>
        <translation>No se puede leer la imagen: %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::AttachmentMedia</name>
    <message>
        <source>The copy on this computer is damaged.</source>
        <translation>La copia en este ordenador está dañada.</translation>
    </message>
</context>
<context>
    <name>tidings::app::ChatClient</name>
    <message>
        <source>The key to the messages kept on this computer is damaged.</source>
        <translation>La clave de los mensajes guardados en este equipo está dañada.</translation>
    </message>
</context>
<context>
    <name>tidings::app::ChatPage</name>
    <message>
        <source>Connection status</source>
        <translation>Estado de la conexión</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>Menú</translation>
    </message>
    <message>
        <source>Filter conversations</source>
        <translation>Filtrar conversaciones</translation>
    </message>
    <message>
        <source>Filter chats</source>
        <translation>Filtrar chats</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nuevo chat</translation>
    </message>
    <message>
        <source>New chat (Ctrl+N)</source>
        <translation>Nuevo chat (Ctrl+N)</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Conversaciones</translation>
    </message>
    <message>
        <source>Choose a chat on the left, or start a new one.</source>
        <translation>Elige un chat a la izquierda o empieza uno nuevo.</translation>
    </message>
    <message>
        <source>Updating…</source>
        <translation>Actualizando…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Waiting for network — your messages will be sent when the server is back.</source>
        <translation>Esperando a la red — tus mensajes se enviarán cuando el servidor vuelva a estar disponible.</translation>
    </message>
    <message>
        <source>Signed out.</source>
        <translation>Sesión cerrada.</translation>
    </message>
    <message>
        <source>This server needs a newer version of Tidings.</source>
        <translation>Este servidor necesita una versión más reciente de Tidings.</translation>
    </message>
    <message>
        <source>No chats yet.
Start one with the pencil above (Ctrl+N).</source>
        <translation>Aún no hay chats.
Empieza uno con el lápiz de arriba (Ctrl+N).</translation>
    </message>
</context>
<context>
    <name>tidings::app::Connection</name>
    <message>
        <source>The server&apos;s answer could not be read.</source>
        <translation>No se pudo leer la respuesta del servidor.</translation>
    </message>
</context>
<context>
    <name>tidings::app::ConversationDelegate</name>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 está escribiendo…</translation>
    </message>
    <message>
        <source>%1 and %2 are typing…</source>
        <translation>%1 y %2 están escribiendo…</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n others are typing…</source>
        <translation>
            <numerusform>%1 y %n persona más están escribiendo…</numerusform>
            <numerusform>%1 y %n personas más están escribiendo…</numerusform>
        </translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>escribiendo…</translation>
    </message>
    <message>
        <source>Draft:</source>
        <translation>Borrador:</translation>
    </message>
</context>
<context>
    <name>tidings::app::ConversationListModel</name>
    <message>
        <source>Group</source>
        <translation>Grupo</translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation>Mensaje eliminado</translation>
    </message>
    <message>
        <source>You: %1</source>
        <translation>Tú: %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n archivo</numerusform>
            <numerusform>%n archivos</numerusform>
        </translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Vídeo</translation>
    </message>
    <message>
        <source>Waiting for this message&apos;s key…</source>
        <translation>Esperando la clave de este mensaje…</translation>
    </message>
    <message>
        <source>This message could not be decrypted.</source>
        <translation>Este mensaje no se pudo descifrar.</translation>
    </message>
</context>
<context>
    <name>tidings::app::ConversationView</name>
    <message>
        <source>Conversation name</source>
        <translation>Nombre de la conversación</translation>
    </message>
    <message>
        <source>Presence</source>
        <translation>Estado en línea</translation>
    </message>
    <message>
        <source>Conversation info</source>
        <translation>Información de la conversación</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Información</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Mensajes</translation>
    </message>
    <message>
        <source>Jump to the newest message</source>
        <translation>Ir al mensaje más reciente</translation>
    </message>
    <message>
        <source>Who is typing</source>
        <translation>Quién está escribiendo</translation>
    </message>
    <message>
        <source>Cancel reply or edit</source>
        <translation>Cancelar respuesta o edición</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>Cancelar (Esc)</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>Write a message…</source>
        <translation>Escribe un mensaje…</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Enviar mensaje</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Enviar (Intro)</translation>
    </message>
    <message>
        <source>Reply to %1: %2</source>
        <translation>Respuesta a %1: %2</translation>
    </message>
    <message>
        <source>Editing message</source>
        <translation>Editando mensaje</translation>
    </message>
    <message>
        <source>&amp;Reply</source>
        <translation>&amp;Responder</translation>
    </message>
    <message>
        <source>&amp;Copy Text</source>
        <translation>&amp;Copiar texto</translation>
    </message>
    <message>
        <source>Re&amp;act</source>
        <translation>Re&amp;accionar</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Editar</translation>
    </message>
    <message>
        <source>&amp;Delete for Everyone</source>
        <translation>Eliminar para &amp;todos</translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation>Eliminar mensaje</translation>
    </message>
    <message>
        <source>Delete this message for everyone?</source>
        <translation>¿Eliminar este mensaje para todos?</translation>
    </message>
    <message>
        <source>Try &amp;Again</source>
        <translation>&amp;Volver a intentarlo</translation>
    </message>
    <message>
        <source>&amp;Cancel Sending</source>
        <translation>Cancelar e&amp;nvío</translation>
    </message>
    <message>
        <source>Re&amp;port…</source>
        <translation>Re&amp;portar…</translation>
    </message>
    <message>
        <source>Report message</source>
        <translation>Reportar mensaje</translation>
    </message>
    <message>
        <source>What is wrong with this message?</source>
        <translation>¿Qué problema hay con este mensaje?</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>desconectado</translation>
    </message>
    <message>
        <source>last seen just now</source>
        <translation>últ. vez hace un momento</translation>
    </message>
    <message numerus="yes">
        <source>last seen %n min ago</source>
        <translation>
            <numerusform>últ. vez hace %n min</numerusform>
            <numerusform>últ. vez hace %n min</numerusform>
        </translation>
    </message>
    <message>
        <source>last seen today at %1</source>
        <translation>últ. vez hoy a las %1</translation>
    </message>
    <message>
        <source>last seen yesterday at %1</source>
        <translation>últ. vez ayer a las %1</translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation>últ. vez el %1</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n miembro</numerusform>
            <numerusform>%n miembros</numerusform>
        </translation>
    </message>
    <message>
        <source>notes to self</source>
        <translation>notas para mí</translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>escribiendo…</translation>
    </message>
    <message>
        <source>online</source>
        <translation>en línea</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Cargando…</translation>
    </message>
    <message>
        <source>Notice</source>
        <translation>Aviso</translation>
    </message>
    <message>
        <source>Reported. Thank you.</source>
        <translation>Reportado. ¡Gracias!</translation>
    </message>
    <message>
        <source>Could not report it: %1</source>
        <translation>No se pudo reportar: %1</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Adjuntar archivos</translation>
    </message>
    <message>
        <source>Attach files (or drop or paste them here)</source>
        <translation>Adjuntar archivos (o soltarlos o pegarlos aquí)</translation>
    </message>
    <message>
        <source>Send Files</source>
        <translation>Enviar archivos</translation>
    </message>
    <message>
        <source>&amp;Open “%1”</source>
        <translation>&amp;Abrir «%1»</translation>
    </message>
    <message>
        <source>&amp;Save As…</source>
        <translation>&amp;Guardar como…</translation>
    </message>
    <message>
        <source>Show in &amp;Folder</source>
        <translation>Mostrar en la &amp;carpeta</translation>
    </message>
    <message>
        <source>The pasted picture could not be kept.</source>
        <translation>No se pudo guardar la imagen pegada.</translation>
    </message>
    <message>
        <source>&amp;Download “%1”</source>
        <translation>&amp;Descargar «%1»</translation>
    </message>
    <message>
        <source>The video cannot be played: %1</source>
        <translation>No se puede reproducir el vídeo: %1</translation>
    </message>
    <message>
        <source>Open a program?</source>
        <translation>¿Abrir un programa?</translation>
    </message>
    <message>
        <source>“%1” can run a program on this computer. Open it only if you expected this file and trust the person who sent it.</source>
        <translation>«%1» puede ejecutar un programa en este equipo. Ábrelo solo si esperabas este archivo y confías en quien lo envió.</translation>
    </message>
    <message>
        <source>&amp;Open Anyway</source>
        <translation>&amp;Abrir de todos modos</translation>
    </message>
    <message>
        <source>You blocked %1. To write again, unblock them with the info button above.</source>
        <translation>Has bloqueado a %1. Para volver a escribir, desbloquéalo con el botón de información de arriba.</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Bloqueado</translation>
    </message>
    <message>
        <source>&amp;Edit and Send Again</source>
        <translation>&amp;Editar y enviar de nuevo</translation>
    </message>
    <message>
        <source>Retr&amp;y Change</source>
        <translation>&amp;Reintentar cambio</translation>
    </message>
    <message>
        <source>D&amp;iscard Change</source>
        <translation>&amp;Descartar cambio</translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation>&amp;Verificar</translation>
    </message>
    <message>
        <source>Verify the new safety number</source>
        <translation>Verificar el nuevo número de seguridad</translation>
    </message>
    <message>
        <source>I &amp;understand</source>
        <translation>&amp;Entendido</translation>
    </message>
    <message>
        <source>Accept the new safety number</source>
        <translation>Aceptar el nuevo número de seguridad</translation>
    </message>
    <message>
        <source>%1&apos;s safety number has changed. This can mean they reinstalled Tidings or that someone is trying to intercept your messages.</source>
        <translation>El número de seguridad de %1 ha cambiado. Puede significar que ha reinstalado Tidings o que alguien intenta interceptar tus mensajes.</translation>
    </message>
    <message>
        <source>End-to-end encrypted</source>
        <translation>Cifrado de extremo a extremo</translation>
    </message>
    <message>
        <source>Not end-to-end encrypted</source>
        <translation>Sin cifrado de extremo a extremo</translation>
    </message>
    <message>
        <source>Messages in this chat so far were sent without end-to-end encryption: the server could read them.</source>
        <translation>Los mensajes de este chat hasta ahora se enviaron sin cifrado de extremo a extremo: el servidor podía leerlos.</translation>
    </message>
    <message>
        <source>Could not accept the new safety number: %1</source>
        <translation>No se pudo aceptar el nuevo número de seguridad: %1</translation>
    </message>
    <message>
        <source>Messages in this chat are end-to-end encrypted. Only the people in it can read them.</source>
        <translation>Los mensajes de este chat están cifrados de extremo a extremo. Solo las personas que están en él pueden leerlos.</translation>
    </message>
    <message>
        <source>You have verified %1&apos;s safety number.</source>
        <translation>Has verificado el número de seguridad de %1.</translation>
    </message>
    <message>
        <source>Older messages, above the line that says so, were not encrypted.</source>
        <translation>Los mensajes anteriores, por encima de la línea que lo indica, no se cifraron.</translation>
    </message>
    <message>
        <source>The file cannot be opened: %1</source>
        <translation>No se puede abrir el archivo: %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::DevicesSection</name>
    <message>
        <source>This device</source>
        <translation>Este dispositivo</translation>
    </message>
    <message>
        <source>added %1</source>
        <translation>añadido el %1</translation>
    </message>
    <message>
        <source>Added %1</source>
        <translation>Añadido el %1</translation>
    </message>
    <message>
        <source>Your devices</source>
        <translation>Tus dispositivos</translation>
    </message>
    <message>
        <source>Use your account, with its encrypted messages, on another phone or computer</source>
        <translation>Usar tu cuenta, con sus mensajes cifrados, en otro teléfono u ordenador</translation>
    </message>
    <message>
        <source>To link devices, this device must encrypt: turn on encryption above.</source>
        <translation>Para vincular dispositivos, este dispositivo debe cifrar: activa el cifrado arriba.</translation>
    </message>
    <message>
        <source>Link this device first: type the code from one of your other devices at the top of the chat window.</source>
        <translation>Primero vincula este dispositivo: escribe, arriba en la ventana de chat, el código de uno de tus otros dispositivos.</translation>
    </message>
    <message>
        <source>Could not load your devices: %1</source>
        <translation>No se pudieron cargar tus dispositivos: %1</translation>
    </message>
    <message>
        <source>No device of yours encrypts messages yet.</source>
        <translation>Ninguno de tus dispositivos cifra mensajes todavía.</translation>
    </message>
    <message>
        <source>Unnamed device</source>
        <translation>Dispositivo sin nombre</translation>
    </message>
    <message>
        <source>Remove this device</source>
        <translation>Quitar este dispositivo</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>Quitar %1</translation>
    </message>
    <message>
        <source>Remove Device</source>
        <translation>Quitar dispositivo</translation>
    </message>
    <message>
        <source>Remove %1? It will be signed out and will not read new messages.</source>
        <translation>¿Quitar %1? Se cerrará su sesión y no leerá los mensajes nuevos.</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Quitar</translation>
    </message>
    <message>
        <source>Removing %1…</source>
        <translation>Quitando %1…</translation>
    </message>
    <message>
        <source>%1 was removed.</source>
        <translation>Se quitó %1.</translation>
    </message>
    <message>
        <source>%1 was not removed: %2</source>
        <translation>No se quitó %1: %2</translation>
    </message>
    <message>
        <source>Link a new &amp;device…</source>
        <translation>Vincular un &amp;dispositivo nuevo…</translation>
    </message>
</context>
<context>
    <name>tidings::app::E2eEngine</name>
    <message>
        <source>This server does not support end-to-end encryption.</source>
        <translation>Este servidor no admite el cifrado de extremo a extremo.</translation>
    </message>
    <message>
        <source>The other device stopped linking.</source>
        <translation>El otro dispositivo dejó de vincular.</translation>
    </message>
    <message>
        <source>This device is not set up for encryption yet.</source>
        <translation>Este dispositivo aún no está configurado para el cifrado.</translation>
    </message>
    <message>
        <source>The connection dropped; try again.</source>
        <translation>Se perdió la conexión; inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>The code was wrong; linking stopped.</source>
        <translation>El código era incorrecto; la vinculación se detuvo.</translation>
    </message>
    <message>
        <source>%1 is linked.</source>
        <translation>%1 está vinculado.</translation>
    </message>
    <message>
        <source>Linking was cancelled.</source>
        <translation>Se canceló la vinculación.</translation>
    </message>
    <message>
        <source>This device does not need linking.</source>
        <translation>Este dispositivo no necesita vincularse.</translation>
    </message>
    <message>
        <source>This device is linking already.</source>
        <translation>Este dispositivo ya se está vinculando.</translation>
    </message>
    <message>
        <source>No device is offering to link. On the other device, choose Link a new device first.</source>
        <translation>Ningún dispositivo ofrece vincularse. En el otro dispositivo, elige primero «Vincular un dispositivo nuevo».</translation>
    </message>
    <message>
        <source>This code is for another device.</source>
        <translation>Este código es para otro dispositivo.</translation>
    </message>
    <message>
        <source>The link code expired. Start again.</source>
        <translation>El código de vinculación caducó. Empieza de nuevo.</translation>
    </message>
    <message>
        <source>The connection dropped.</source>
        <translation>Se perdió la conexión.</translation>
    </message>
    <message>
        <source>This account has no devices.</source>
        <translation>Esta cuenta no tiene dispositivos.</translation>
    </message>
    <message>
        <source>The other device stopped linking: the code may have been wrong. Start again on the other device.</source>
        <translation>El otro dispositivo dejó de vincular: quizá el código era incorrecto. Empieza de nuevo en el otro dispositivo.</translation>
    </message>
</context>
<context>
    <name>tidings::app::GroupInfoDialog</name>
    <message>
        <source>Group Info</source>
        <translation>Información del grupo</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Nombre del grupo</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>Cambiar &amp;nombre</translation>
    </message>
    <message>
        <source>Rename the group</source>
        <translation>Cambiar el nombre del grupo</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Miembros</translation>
    </message>
    <message>
        <source>&amp;Add Members…</source>
        <translation>&amp;Añadir miembros…</translation>
    </message>
    <message>
        <source>Add members</source>
        <translation>Añadir miembros</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>&amp;Quitar</translation>
    </message>
    <message>
        <source>Remove the chosen member</source>
        <translation>Quitar al miembro seleccionado</translation>
    </message>
    <message>
        <source>&amp;Leave Group</source>
        <translation>&amp;Salir del grupo</translation>
    </message>
    <message>
        <source>Leave the group</source>
        <translation>Salir del grupo</translation>
    </message>
    <message>
        <source>Leave group</source>
        <translation>Salir del grupo</translation>
    </message>
    <message>
        <source>Leave this group?</source>
        <translation>¿Salir de este grupo?</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (tú)</translation>
    </message>
    <message>
        <source>owner</source>
        <translation>propietario</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>admin</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>Procesando…</translation>
    </message>
    <message>
        <source>&amp;Verify Safety Number…</source>
        <translation>&amp;Verificar número de seguridad…</translation>
    </message>
    <message>
        <source>Verify the chosen member&apos;s safety number</source>
        <translation>Verificar el número de seguridad del miembro elegido</translation>
    </message>
</context>
<context>
    <name>tidings::app::ImageViewer</name>
    <message>
        <source>Zoom out (−)</source>
        <translation>Alejar (−)</translation>
    </message>
    <message>
        <source>Zoom in (+)</source>
        <translation>Acercar (+)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Ajustar</translation>
    </message>
    <message>
        <source>Fit to window (0)</source>
        <translation>Ajustar a la ventana (0)</translation>
    </message>
    <message>
        <source>Actual size (1)</source>
        <translation>Tamaño real (1)</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>Guardar como…</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>Guardar una copia</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Cargando…</translation>
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
        <translation>Esa no es tu contraseña. Inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>Too many attempts. Wait a minute, then try again.</source>
        <translation>Demasiados intentos. Espera un minuto e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>The connection to the server was lost. Try again.</source>
        <translation>Se perdió la conexión con el servidor. Inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>Link a New Device</source>
        <translation>Vincular un dispositivo nuevo</translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation>&amp;Continuar</translation>
    </message>
    <message>
        <source>&amp;Link</source>
        <translation>&amp;Vincular</translation>
    </message>
    <message>
        <source>Link a new device to your account</source>
        <translation>Vincula un dispositivo nuevo a tu cuenta</translation>
    </message>
    <message>
        <source>Enter your password to get a link code for your new device. Your password is needed so that a session left open cannot hand your keys away.</source>
        <translation>Introduce tu contraseña para obtener un código de vinculación para tu dispositivo nuevo. Se necesita tu contraseña para que una sesión que quedó abierta no pueda entregar tus claves.</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <source>On your new device, sign in and type this code. It works for 10 minutes.</source>
        <translation>En tu dispositivo nuevo, inicia sesión y escribe este código. Sirve durante 10 minutos.</translation>
    </message>
    <message>
        <source>Link code</source>
        <translation>Código de vinculación</translation>
    </message>
    <message>
        <source>Waiting for your new device… Keep this window open until it is linked. Never give this code to anyone.</source>
        <translation>Esperando a tu dispositivo nuevo… Deja esta ventana abierta hasta que esté vinculado. No des nunca este código a nadie.</translation>
    </message>
    <message>
        <source>It will read your encrypted messages, old and new, and send messages as you. Link it only if it is the device you just typed the code on.</source>
        <translation>Podrá leer tus mensajes cifrados, antiguos y nuevos, y enviar mensajes en tu nombre. Vincúlalo solo si es el dispositivo en el que acabas de escribir el código.</translation>
    </message>
    <message>
        <source>Linking…</source>
        <translation>Vinculando…</translation>
    </message>
    <message>
        <source>Checking your password…</source>
        <translation>Comprobando tu contraseña…</translation>
    </message>
    <message>
        <source>Link %1?</source>
        <translation>¿Vincular %1?</translation>
    </message>
    <message>
        <source>Not linked. %1</source>
        <translation>No se vinculó. %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::LinkPrompt</name>
    <message>
        <source>Link this device</source>
        <translation>Vincula este dispositivo</translation>
    </message>
    <message>
        <source>This account is used on another device. To read and send encrypted messages here, link this device: on the other device open Settings → Devices → Link a new device, then type the code shown there.</source>
        <translation>Esta cuenta se usa en otro dispositivo. Para leer y enviar mensajes cifrados aquí, vincula este dispositivo: en el otro dispositivo abre Ajustes → Dispositivos → Vincular un dispositivo nuevo y escribe el código que aparece allí.</translation>
    </message>
    <message>
        <source>Link code</source>
        <translation>Código de vinculación</translation>
    </message>
    <message>
        <source>&amp;Link</source>
        <translation>&amp;Vincular</translation>
    </message>
    <message>
        <source>Linking… Confirm on your other device.</source>
        <translation>Vinculando… Confirma en tu otro dispositivo.</translation>
    </message>
    <message>
        <source>Not linked: %1</source>
        <translation>No se vinculó: %1</translation>
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
        <translation>Cancelado.</translation>
    </message>
    <message>
        <source>&amp;Unmute</source>
        <translation>&amp;Dejar de silenciar</translation>
    </message>
    <message>
        <source>&amp;Mute Notifications</source>
        <translation>&amp;Silenciar notificaciones</translation>
    </message>
    <message>
        <source>New &amp;Chat…</source>
        <translation>&amp;Nuevo chat…</translation>
    </message>
    <message>
        <source>New &amp;Group…</source>
        <translation>Nuevo &amp;grupo…</translation>
    </message>
    <message>
        <source>&amp;Search Messages…</source>
        <translation>&amp;Buscar mensajes…</translation>
    </message>
    <message>
        <source>&amp;Go to Chat…</source>
        <translation>&amp;Ir a un chat…</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>&amp;Ajustes…</translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation>&amp;Cerrar sesión</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;Block %1</source>
        <translation>&amp;Bloquear a %1</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>Bloquear</translation>
    </message>
    <message>
        <source>Block %1? Neither of you will be able to message the other.</source>
        <translation>¿Bloquear a %1? Ninguno de los dos podrá enviar mensajes al otro.</translation>
    </message>
    <message>
        <source>&amp;Report %1…</source>
        <translation>&amp;Reportar a %1…</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Reportar</translation>
    </message>
    <message>
        <source>What is wrong?</source>
        <translation>¿Cuál es el problema?</translation>
    </message>
    <message>
        <source>&amp;Unblock %1</source>
        <translation>&amp;Desbloquear a %1</translation>
    </message>
    <message>
        <source>&amp;Verify Safety Number…</source>
        <translation>&amp;Verificar número de seguridad…</translation>
    </message>
</context>
<context>
    <name>tidings::app::MessageDelegate</name>
    <message>
        <source>Not sent: %1</source>
        <translation>No enviado: %1</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Pendiente de envío</translation>
    </message>
    <message>
        <source>Read by %1 of %2</source>
        <translation>Leído por %1 de %2</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Leído</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregado</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Ayer</translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation>Mensaje eliminado</translation>
    </message>
    <message>
        <source>edited %1</source>
        <translation>editado %1</translation>
    </message>
    <message>
        <source>New messages</source>
        <translation>Mensajes nuevos</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>Download failed: %1</source>
        <translation>La descarga falló: %1</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Reintentar</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Messages above were not end-to-end encrypted. New messages are.</source>
        <translation>Los mensajes de arriba no se cifraron de extremo a extremo. Los nuevos sí.</translation>
    </message>
    <message>
        <source>Waiting for this message&apos;s key…</source>
        <translation>Esperando la clave de este mensaje…</translation>
    </message>
    <message>
        <source>This message could not be decrypted.</source>
        <translation>Este mensaje no se pudo descifrar.</translation>
    </message>
    <message>
        <source>Verify safety number</source>
        <translation>Verificar número de seguridad</translation>
    </message>
</context>
<context>
    <name>tidings::app::MessageListModel</name>
    <message>
        <source>Deleted message</source>
        <translation>Mensaje eliminado</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>%1 started the conversation</source>
        <translation>%1 inició la conversación</translation>
    </message>
    <message>
        <source>%1 created the group “%2”</source>
        <translation>%1 creó el grupo “%2”</translation>
    </message>
    <message>
        <source>%1 added %2</source>
        <translation>%1 añadió a %2</translation>
    </message>
    <message>
        <source>%1 removed %2</source>
        <translation>%1 eliminó a %2</translation>
    </message>
    <message>
        <source>%1 left the group</source>
        <translation>%1 salió del grupo</translation>
    </message>
    <message>
        <source>%1 renamed the group to “%2”</source>
        <translation>%1 cambió el nombre del grupo a “%2”</translation>
    </message>
    <message>
        <source>%1 made %2 the owner</source>
        <translation>%1 hizo a %2 propietario</translation>
    </message>
    <message>
        <source>%1 made %2 an admin</source>
        <translation>%1 hizo a %2 administrador</translation>
    </message>
    <message>
        <source>%1 made %2 a member</source>
        <translation>%1 hizo a %2 miembro</translation>
    </message>
    <message>
        <source>You started the conversation</source>
        <translation>Iniciaste la conversación</translation>
    </message>
    <message>
        <source>You created the group “%1”</source>
        <translation>Creaste el grupo “%1”</translation>
    </message>
    <message>
        <source>You added %1</source>
        <translation>Añadiste a %1</translation>
    </message>
    <message>
        <source>%1 removed you</source>
        <translation>%1 te eliminó</translation>
    </message>
    <message>
        <source>You removed %1</source>
        <translation>Eliminaste a %1</translation>
    </message>
    <message>
        <source>You left the group</source>
        <translation>Saliste del grupo</translation>
    </message>
    <message>
        <source>You renamed the group to “%1”</source>
        <translation>Cambiaste el nombre del grupo a “%1”</translation>
    </message>
    <message>
        <source>You made %1 the owner</source>
        <translation>Hiciste a %1 propietario</translation>
    </message>
    <message>
        <source>You made %1 an admin</source>
        <translation>Hiciste a %1 administrador</translation>
    </message>
    <message>
        <source>You made %1 a member</source>
        <translation>Hiciste a %1 miembro</translation>
    </message>
    <message>
        <source>Something happened here that this version of Tidings cannot show</source>
        <translation>Aquí pasó algo que esta versión de Tidings no puede mostrar</translation>
    </message>
    <message>
        <source>Your edit was not sent: %1</source>
        <translation>Tu edición no se envió: %1</translation>
    </message>
    <message>
        <source>Not deleted: %1</source>
        <translation>No se eliminó: %1</translation>
    </message>
    <message>
        <source>Your reaction was not sent: %1</source>
        <translation>Tu reacción no se envió: %1</translation>
    </message>
    <message>
        <source>Activate it to compare safety numbers.</source>
        <translation>Actívalo para comparar los números de seguridad.</translation>
    </message>
    <message>
        <source>%1&apos;s safety number has changed.</source>
        <translation>El número de seguridad de %1 ha cambiado.</translation>
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
        <translation>Mostrar Tidings</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message numerus="yes">
        <source>Tidings — %n unread</source>
        <translation>
            <numerusform>Tidings — %n sin leer</numerusform>
            <numerusform>Tidings — %n sin leer</numerusform>
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
        <translation>Demasiado largo para enviar: %1 KB de texto, y este servidor admite hasta %2 KB. Cópialo, acórtalo o envíalo como archivo.</translation>
    </message>
</context>
<context>
    <name>tidings::app::PeopleDialog</name>
    <message>
        <source>New Chat</source>
        <translation>Nuevo chat</translation>
    </message>
    <message>
        <source>New Group</source>
        <translation>Nuevo grupo</translation>
    </message>
    <message>
        <source>Add Members</source>
        <translation>Añadir miembros</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Nombre del grupo</translation>
    </message>
    <message>
        <source>Find people by username</source>
        <translation>Buscar personas por nombre de usuario</translation>
    </message>
    <message>
        <source>People found</source>
        <translation>Personas encontradas</translation>
    </message>
    <message>
        <source>&amp;Message</source>
        <translation>&amp;Enviar mensaje</translation>
    </message>
    <message>
        <source>&amp;Create Group</source>
        <translation>&amp;Crear grupo</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Buscando…</translation>
    </message>
    <message>
        <source>Could not search: %1</source>
        <translation>No se pudo buscar: %1</translation>
    </message>
    <message>
        <source>Nobody found.</source>
        <translation>No se encontró a nadie.</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>Procesando…</translation>
    </message>
</context>
<context>
    <name>tidings::app::QuickSwitcher</name>
    <message>
        <source>Go to Chat</source>
        <translation>Ir a un chat</translation>
    </message>
    <message>
        <source>Chat name</source>
        <translation>Nombre del chat</translation>
    </message>
    <message>
        <source>Go to chat…</source>
        <translation>Ir a un chat…</translation>
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
        <translation>No se pudo conectar con el servidor: %1</translation>
    </message>
    <message>
        <source>The server answered, but it is not a Tidings relay.</source>
        <translation>El servidor respondió, pero no es un servidor de Tidings.</translation>
    </message>
</context>
<context>
    <name>tidings::app::SafetyNumberDialog</name>
    <message>
        <source>Safety Number</source>
        <translation>Número de seguridad</translation>
    </message>
    <message>
        <source>Your safety number with %1</source>
        <translation>Tu número de seguridad con %1</translation>
    </message>
    <message>
        <source>Safety number</source>
        <translation>Número de seguridad</translation>
    </message>
    <message>
        <source>Compare these numbers with the ones %1 sees in Tidings, in person or on a call. If every group matches, your messages reach %1 and no one else: mark the number as verified.</source>
        <translation>Compara estos números con los que %1 ve en Tidings, en persona o en una llamada. Si todos los grupos coinciden, tus mensajes llegan a %1 y a nadie más: marca el número como verificado.</translation>
    </message>
    <message>
        <source>I understand</source>
        <translation>Entendido</translation>
    </message>
    <message>
        <source>Accept the new safety number</source>
        <translation>Aceptar el nuevo número de seguridad</translation>
    </message>
    <message>
        <source>&amp;Mark as verified</source>
        <translation>&amp;Marcar como verificado</translation>
    </message>
    <message>
        <source>Mark the safety number as verified</source>
        <translation>Marcar el número de seguridad como verificado</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Cargando…</translation>
    </message>
    <message>
        <source>The safety number could not be read: %1</source>
        <translation>No se pudo leer el número de seguridad: %1</translation>
    </message>
    <message>
        <source>%1&apos;s safety number has changed. This can mean they reinstalled Tidings or that someone is trying to intercept your messages. Compare the new number below with the one %1 sees, then choose “I understand”; messages waiting for %1 are sent then.</source>
        <translation>El número de seguridad de %1 ha cambiado. Puede significar que ha reinstalado Tidings o que alguien intenta interceptar tus mensajes. Compara el número nuevo de abajo con el que ve %1 y elige «Entendido»; los mensajes que esperan a %1 se enviarán entonces.</translation>
    </message>
    <message>
        <source>There is no safety number with %1 yet. It shows once one of you has sent the other an encrypted message.</source>
        <translation>Aún no hay número de seguridad con %1. Aparecerá cuando uno de vosotros haya enviado al otro un mensaje cifrado.</translation>
    </message>
    <message>
        <source>Not verified.</source>
        <translation>Sin verificar.</translation>
    </message>
    <message>
        <source>Verified: you compared this number with %1.</source>
        <translation>Verificado: comparaste este número con %1.</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>Aún sin verificar.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>No se guardó: %1</translation>
    </message>
    <message>
        <source>Safety number QR code</source>
        <translation>Código QR del número de seguridad</translation>
    </message>
    <message>
        <source>Your safety number with %1 as a QR code</source>
        <translation>Tu número de seguridad con %1 como código QR</translation>
    </message>
</context>
<context>
    <name>tidings::app::SearchDialog</name>
    <message>
        <source>Search Messages</source>
        <translation>Buscar mensajes</translation>
    </message>
    <message>
        <source>Search messages</source>
        <translation>Buscar mensajes</translation>
    </message>
    <message>
        <source>Search messages in all chats</source>
        <translation>Buscar mensajes en todos los chats</translation>
    </message>
    <message>
        <source>Messages found</source>
        <translation>Mensajes encontrados</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) found</source>
        <translation>
            <numerusform>%n mensaje encontrado</numerusform>
            <numerusform>%n mensajes encontrados</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tidings::app::SendFilesDialog</name>
    <message numerus="yes">
        <source>Send %n picture(s)</source>
        <translation>
            <numerusform>Enviar %n imagen</numerusform>
            <numerusform>Enviar %n imágenes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Send %n file(s)</source>
        <translation>
            <numerusform>Enviar %n archivo</numerusform>
            <numerusform>Enviar %n archivos</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 × %2, %3</source>
        <translation>%1 × %2, %3</translation>
    </message>
    <message>
        <source>Add a caption…</source>
        <translation>Añadir un pie de foto…</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>Pie de foto</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
</context>
<context>
    <name>tidings::app::Session</name>
    <message>
        <source>Your session ended. Please sign in again.</source>
        <translation>Tu sesión ha terminado. Vuelve a iniciar sesión.</translation>
    </message>
    <message>
        <source>Your session ended: %1</source>
        <translation>Tu sesión ha terminado: %1</translation>
    </message>
    <message>
        <source>The messages kept on this computer could not be opened: %1</source>
        <translation>No se pudieron abrir los mensajes guardados en este ordenador: %1</translation>
    </message>
    <message>
        <source>Enter your username.</source>
        <translation>Introduce tu nombre de usuario.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Introduce tu contraseña.</translation>
    </message>
    <message>
        <source>The server did not answer in time. Check the address and your connection, then try again.</source>
        <translation>El servidor no respondió a tiempo. Comprueba la dirección y tu conexión e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>This server runs a version of Tidings this app cannot talk to. Update the app, or ask the server&apos;s admin.</source>
        <translation>Este servidor usa una versión de Tidings con la que esta app no puede comunicarse. Actualiza la app o consulta al administrador del servidor.</translation>
    </message>
    <message>
        <source>The server %1 could not be reached.</source>
        <translation>No se pudo conectar con el servidor %1.</translation>
    </message>
    <message>
        <source>Wrong username or password.</source>
        <translation>Nombre de usuario o contraseña incorrectos.</translation>
    </message>
    <message>
        <source>That username is taken. Choose another one.</source>
        <translation>Ese nombre de usuario ya está en uso. Elige otro.</translation>
    </message>
    <message>
        <source>This server does not accept new accounts. Ask its admin for one.</source>
        <translation>Este servidor no admite cuentas nuevas. Pide una a su administrador.</translation>
    </message>
    <message>
        <source>This account cannot sign in: %1</source>
        <translation>Esta cuenta no puede iniciar sesión: %1</translation>
    </message>
    <message>
        <source>Too many attempts. Wait a minute, then try again.</source>
        <translation>Demasiados intentos. Espera un minuto e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>The connection to the server was lost. Try again.</source>
        <translation>Se perdió la conexión con el servidor. Inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>The server could not sign you in: %1</source>
        <translation>El servidor no pudo iniciar tu sesión: %1</translation>
    </message>
</context>
<context>
    <name>tidings::app::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Tema</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Igual que el sistema</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Tema:</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>Tamaño del texto</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>Text &amp;size:</source>
        <translation>Tamaño del te&amp;xto:</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
    <message>
        <source>A new language shows after Tidings restarts.</source>
        <translation>El nuevo idioma se aplicará cuando Tidings se reinicie.</translation>
    </message>
    <message>
        <source>Show a &amp;notification for new messages</source>
        <translation>Mostrar una &amp;notificación para los mensajes nuevos</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notificaciones</translation>
    </message>
    <message>
        <source>Notifications:</source>
        <translation>Notificaciones:</translation>
    </message>
    <message>
        <source>Play a s&amp;ound</source>
        <translation>Reproducir un s&amp;onido</translation>
    </message>
    <message>
        <source>Notification sound</source>
        <translation>Sonido de notificación</translation>
    </message>
    <message>
        <source>&amp;Hide when I was last online</source>
        <translation>Ocultar mi &amp;hora de última conexión</translation>
    </message>
    <message>
        <source>Hide my last seen time</source>
        <translation>Ocultar mi hora de última conexión</translation>
    </message>
    <message>
        <source>Privacy:</source>
        <translation>Privacidad:</translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation>Cerrar &amp;sesión</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Cerrar sesión</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Guardando…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Guardado.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>No guardado: %1</translation>
    </message>
    <message>
        <source>Let others see when I have &amp;read their messages</source>
        <translation>Permitir que otros vean cuándo he &amp;leído sus mensajes</translation>
    </message>
    <message>
        <source>Send read receipts</source>
        <translation>Enviar confirmaciones de lectura</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Contando…</translation>
    </message>
    <message>
        <source>&amp;Clear</source>
        <translation>&amp;Vaciar</translation>
    </message>
    <message>
        <source>Clear downloaded files</source>
        <translation>Borrar los archivos descargados</translation>
    </message>
    <message>
        <source>Remove downloaded files (they download again when needed)</source>
        <translation>Borrar los archivos descargados (se descargan de nuevo cuando hagan falta)</translation>
    </message>
    <message>
        <source>Downloads:</source>
        <translation>Descargas:</translation>
    </message>
    <message>
        <source>Space for downloaded files</source>
        <translation>Espacio para archivos descargados</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Keep at &amp;most:</source>
        <translation>Conservar como &amp;máximo:</translation>
    </message>
    <message>
        <source>%1 of downloaded files</source>
        <translation>%1 de archivos descargados</translation>
    </message>
    <message>
        <source>Who can add me to groups</source>
        <translation>Quién puede añadirme a grupos</translation>
    </message>
    <message>
        <source>Anyone can add me</source>
        <translation>Cualquiera puede añadirme</translation>
    </message>
    <message>
        <source>Only people I have written to can add me</source>
        <translation>Solo las personas a las que he escrito pueden añadirme</translation>
    </message>
    <message>
        <source>&amp;Groups:</source>
        <translation>&amp;Grupos:</translation>
    </message>
    <message>
        <source>&amp;Encrypt my messages end to end</source>
        <translation>&amp;Cifrar mis mensajes de extremo a extremo</translation>
    </message>
    <message>
        <source>End-to-end encryption</source>
        <translation>Cifrado de extremo a extremo</translation>
    </message>
    <message>
        <source>Only the people in a chat can read its messages and files: not the server, nor its admins.</source>
        <translation>Solo las personas de un chat pueden leer sus mensajes y archivos: ni el servidor ni sus administradores.</translation>
    </message>
    <message>
        <source>Encryption:</source>
        <translation>Cifrado:</translation>
    </message>
    <message>
        <source>Messages from this device are not end-to-end encrypted.</source>
        <translation>Los mensajes de este dispositivo no se cifran de extremo a extremo.</translation>
    </message>
    <message>
        <source>Setting this device up for encryption…</source>
        <translation>Configurando este dispositivo para el cifrado…</translation>
    </message>
    <message>
        <source>This device is set up for encryption.</source>
        <translation>Este dispositivo está configurado para el cifrado.</translation>
    </message>
    <message>
        <source>Encryption is not working: %1</source>
        <translation>El cifrado no funciona: %1</translation>
    </message>
    <message>
        <source>Your choice applies the next time Tidings starts.</source>
        <translation>Tu elección se aplicará la próxima vez que se inicie Tidings.</translation>
    </message>
    <message>
        <source>Your account already encrypts on another device. Link this device with the code from that one: see the top of the chat window.</source>
        <translation>Tu cuenta ya cifra en otro dispositivo. Vincula este con el código de aquel: mira arriba en la ventana de chat.</translation>
    </message>
    <message>
        <source>Devices:</source>
        <translation>Dispositivos:</translation>
    </message>
    <message>
        <source>This server requires end-to-end encryption.</source>
        <translation>Este servidor exige cifrado de extremo a extremo.</translation>
    </message>
</context>
<context>
    <name>tidings::app::SignInPage</name>
    <message>
        <source>Chat that is never lost.</source>
        <translation>Chats que nunca se pierden.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Dirección del servidor</translation>
    </message>
    <message>
        <source>chat.example.org or localhost:8420</source>
        <translation>chat.example.org o localhost:8420</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Servidor:</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>Nombre de &amp;usuario:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <source>Your name as others see it</source>
        <translation>Tu nombre tal como lo ven los demás</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Opcional</translation>
    </message>
    <message>
        <source>Your &amp;name:</source>
        <translation>Tu &amp;nombre:</translation>
    </message>
    <message>
        <source>I am new here: create an &amp;account</source>
        <translation>Aún no tengo cuenta: cre&amp;ar una</translation>
    </message>
    <message>
        <source>Create a new account</source>
        <translation>Crear una cuenta nueva</translation>
    </message>
    <message>
        <source>Sign-in status</source>
        <translation>Estado del inicio de sesión</translation>
    </message>
    <message>
        <source>Create your account</source>
        <translation>Crea tu cuenta</translation>
    </message>
    <message>
        <source>Sign in to Tidings</source>
        <translation>Inicia sesión en Tidings</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Create &amp;Account</source>
        <translation>Cr&amp;ear cuenta</translation>
    </message>
    <message>
        <source>Sign &amp;In</source>
        <translation>&amp;Iniciar sesión</translation>
    </message>
    <message>
        <source>Cancel signing in</source>
        <translation>Cancelar inicio de sesión</translation>
    </message>
    <message>
        <source>Create account</source>
        <translation>Crear cuenta</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>Creating your account…</source>
        <translation>Creando tu cuenta…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Iniciando sesión…</translation>
    </message>
</context>
<context>
    <name>tidings::app::TransferJobs</name>
    <message>
        <source>The file is damaged and could not be decrypted.</source>
        <translation>El archivo está dañado y no se pudo descifrar.</translation>
    </message>
</context>
<context>
    <name>tidings::app::UserNames</name>
    <message>
        <source>Unknown user</source>
        <translation>Usuario desconocido</translation>
    </message>
</context>
<context>
    <name>tidings::app::VideoPlayer</name>
    <message>
        <source>Position</source>
        <translation>Posición</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>Volumen</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausa</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Reproducir</translation>
    </message>
    <message>
        <source>The video cannot be played: %1</source>
        <translation>No se puede reproducir el vídeo: %1</translation>
    </message>
</context>
</TS>
