// SPDX-License-Identifier: MPL-2.0
// A Java mail sender's TLS step, as the database's internal Java does it:
// SMTP to HOST:PORT, STARTTLS, then the handshake against the truststore
// named by -Djavax.net.ssl.trustStore (and the host name checked).
//   java -Djavax.net.ssl.trustStore=wallet.p12 SmtpStartTls.java HOST PORT
import java.io.*;
import java.net.Socket;
import javax.net.ssl.*;

public class SmtpStartTls {
    static String reply(BufferedReader in) throws IOException {
        String line;
        do { // a multi-line reply ends with "NNN text"
            line = in.readLine();
            if (line == null) throw new EOFException("the server closed the connection");
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    static String say(Writer out, BufferedReader in, String cmd) throws IOException {
        out.write(cmd + "\r\n");
        out.flush();
        return reply(in);
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        try (Socket plain = new Socket(host, port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), "US-ASCII"));
            Writer out = new OutputStreamWriter(plain.getOutputStream(), "US-ASCII");
            reply(in);
            say(out, in, "EHLO client.example");
            String go = say(out, in, "STARTTLS");
            if (!go.startsWith("220")) throw new IOException("STARTTLS refused: " + go);
            SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
            try (SSLSocket tls = (SSLSocket) f.createSocket(plain, host, port, true)) {
                SSLParameters p = tls.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // the name must match
                tls.setSSLParameters(p);
                tls.startHandshake();
                in = new BufferedReader(new InputStreamReader(tls.getInputStream(), "US-ASCII"));
                out = new OutputStreamWriter(tls.getOutputStream(), "US-ASCII");
                String ehlo = say(out, in, "EHLO client.example");
                say(out, in, "QUIT");
                System.out.println("TLS " + tls.getSession().getProtocol() + " with "
                        + tls.getSession().getPeerPrincipal() + "; EHLO over TLS: " + ehlo);
            }
        } catch (SSLHandshakeException e) { // the note's ORA-20999
            System.out.println("Certificate validation failure: " + e.getMessage());
            System.exit(1);
        } catch (IOException e) {
            System.out.println("SMTP STARTTLS failed: " + e);
            System.exit(1);
        }
    }
}
