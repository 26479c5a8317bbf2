// The lab's cart on Tomcat: one add-item per POST, the whole cart in the answer, as lab/app.py.
// The cart is a session attribute, set anew on each add so that the session is dirty and the
// ReplicationValve copies it to its backup before the response leaves (BackupManager).
// X-Backup names the member holding the session's backup (read from the BackupManager's
// LazyReplicatedMap by reflection, so this compiles against the servlet API alone).
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

public class CartServlet extends HttpServlet {
    private static final String SERVER = System.getProperty("lab.server", "?");
    // "A:4001,B:4002": each member's name by its cluster port
    private static final String MEMBERS = System.getProperty("lab.members", "");

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        String item = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        long started = System.nanoTime();
        HttpSession session = request.getSession(true);
        @SuppressWarnings("unchecked")
        List<String> cart = (List<String>) session.getAttribute("cart");
        ArrayList<String> next = cart == null ? new ArrayList<>() : new ArrayList<>(cart);
        next.add(item);
        session.setAttribute("cart", next);
        answer(response, next, System.nanoTime() - started, backupOf(session));
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        long started = System.nanoTime();
        HttpSession session = request.getSession(false);
        @SuppressWarnings("unchecked")
        List<String> cart = session == null ? null : (List<String>) session.getAttribute("cart");
        List<String> shown = cart == null ? new ArrayList<>() : cart;
        answer(response, shown, System.nanoTime() - started, backupOf(session));
    }

    private static void answer(HttpServletResponse response, List<String> cart, long spentNs,
            String backup) throws IOException {
        StringBuilder json = new StringBuilder("{\"server\": \"").append(SERVER).append("\", \"cart\": [");
        for (int i = 0; i < cart.size(); i++) {
            json.append(i == 0 ? "\"" : ", \"").append(cart.get(i).replace("\"", "")).append('"');
        }
        byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        response.setHeader("X-Server", SERVER);
        response.setHeader("X-Store-Us", String.format("%.1f", spentNs / 1000.0));
        response.setHeader("X-Backup", backup);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);  // not flushed: the valve replicates first
    }

    /** The name of the member that holds this session's backup, "" if none or unknown. */
    private static String backupOf(HttpSession facade) {
        if (facade == null) {
            return "";
        }
        try {
            Object session = field(facade, "session");
            Object manager = session.getClass().getMethod("getManager").invoke(session);
            Object map = field(manager, "sessions");
            Object entry = map.getClass().getMethod("getInternal", Object.class).invoke(map, facade.getId());
            Object[] nodes = (Object[]) entry.getClass().getMethod("getBackupNodes").invoke(entry);
            if (nodes == null || nodes.length == 0) {
                return "";
            }
            Object port = nodes[0].getClass().getMethod("getPort").invoke(nodes[0]);
            for (String member : MEMBERS.split(",")) {
                String[] parts = member.split(":");
                if (parts.length == 2 && parts[1].equals(String.valueOf(port))) {
                    return parts[0];
                }
            }
        } catch (ReflectiveOperationException | RuntimeException error) {
            return "";
        }
        return "";
    }

    private static Object field(Object object, String name) throws ReflectiveOperationException {
        for (Class<?> type = object.getClass(); type != null; type = type.getSuperclass()) {
            try {
                Field field = type.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(object);
            } catch (NoSuchFieldException next) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }
}
